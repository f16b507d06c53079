import Wire
print(Message.knownTypes.count)

import Basics
import Foundation
import Testing

/// The one JSON writer: framing, escaping, and documents written piece by piece.
struct JSONWriterTests {
    static func parse(_ bytes: [UInt8]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    @Test func framesNestedContainers() throws {
        var json = JSONWriter()
        json.beginObject()
        json.field("name", "lntrace")
        json.field("count", 3)
        json.field("big", UInt64.max)
        json.field("ok", true)
        json.key("nothing")
        json.null()
        json.key("frames")
        json.beginArray()
        json.number(1)
        json.beginObject()
        json.endObject()
        json.beginArray()
        json.endArray()
        json.endArray()
        json.key("raw")
        json.hex([0x00, 0xff])
        json.field("list", ["a", "b"])
        json.key("rate")
        json.number(2.5)
        json.key("infinite")
        json.number(Double.infinity)
        json.endObject()
        #expect(
            String(decoding: json.bytes, as: UTF8.self)
                == #"{"name":"lntrace","count":3,"big":18446744073709551615,"ok":true,"nothing":null,"frames":[1,{},[]],"raw":"00ff","list":["a","b"],"rate":2.5,"infinite":null}"#
        )
        let object = try #require(try Self.parse(json.bytes) as? [String: Any])
        #expect(object["raw"] as? String == "00ff")
    }

    @Test func escapesWhatJSONRequires() throws {
        let nasty = "quote \" backslash \\ newline \n return \r tab \t nul \u{0} bell \u{7} del \u{7f} é 💥 \u{2028}"
        var json = JSONWriter()
        json.beginObject()
        json.field(nasty, nasty)
        json.endObject()
        let text = String(decoding: json.bytes, as: UTF8.self)
        #expect(text.contains(#"quote \" backslash \\ newline \n return \r tab \t nul \u0000 bell \u0007 del \u007f é 💥"#))
        // No raw control character reaches the output.
        #expect(!json.bytes.contains { $0 < 0x20 || $0 == 0x7f })
        let object = try #require(try Self.parse(json.bytes) as? [String: String])
        #expect(object == [nasty: nasty])
    }

    @Test func drainingKeepsTheFraming() throws {
        var json = JSONWriter()
        var out: [UInt8] = []
        json.beginObject()
        json.key("items")
        json.beginArray()
        json.drain { out += $0 }
        for i in 0..<3 {
            json.beginObject()
            json.field("i", i)
            json.endObject()
            json.drain { out += $0 }
            #expect(json.bytes.isEmpty)
        }
        json.endArray()
        json.field("count", 3)
        json.endObject()
        json.drain { out += $0 }
        #expect(String(decoding: out, as: UTF8.self) == #"{"items":[{"i":0},{"i":1},{"i":2}],"count":3}"#)
        json.reset()
        json.string("again")
        #expect(String(decoding: json.bytes, as: UTF8.self) == #""again""#)
    }
}

#!/usr/bin/env python3
"""Generate the Swift wire codec from the spec-extracted message CSV.

Input:  Sources/Wire/Schema/wire.csv (made by extract-wire-csv.py from the BOLTs)
Output: Sources/Wire/Generated/Messages.swift       (every BOLT #1/#2/#7 message)
        Sources/Wire/Generated/Typed.swift          (MessageKind, TypedMessage, each `Partial`)
        Tests/WireTests/Generated/TestNamespaces.swift (BOLT #1 Appendix B `n1`/`n2`)

Each message becomes a struct named after it (`update_add_htlc` -> `UpdateAddHTLC`) with a
decoder, an encoder and a spec-named field list; each TLV stream becomes one struct shared
by the messages that use it. Run `python3 Scripts/wiregen.py` after changing the schema;
`Scripts/wiregen.py --out DIR` writes the files under DIR instead (at the same relative
paths), which the WireTests compare with the committed ones.
"""
import sys
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / 'Sources/Wire/Schema/wire.csv'
OUT = ROOT / 'Sources/Wire/Generated/Messages.swift'
TYPED_OUT = ROOT / 'Sources/Wire/Generated/Typed.swift'
TEST_OUT = ROOT / 'Tests/WireTests/Generated/TestNamespaces.swift'

TEST_STREAMS = {'n1', 'n2'}
# Gossip messages whose signature covers "any future fields appended to the end"
# (BOLT #7): their trailing bytes are kept raw rather than read as a TLV stream.
RAW_TRAILING = {'channel_announcement', 'node_announcement', 'channel_update'}

ACRONYMS = {'id': 'ID', 'htlc': 'HTLC', 'htlcs': 'HTLCs', 'tlvs': 'TLVs', 'rbf': 'RBF'}
TYPE_NAMES = {'error': 'ErrorMessage'}
CASE_NAMES = {'init': 'initMessage'}
SWIFT_KEYWORDS = {'init', 'default', 'protocol', 'extension', 'self', 'Type', 'type',
                  'func', 'var', 'let', 'in', 'is', 'as', 'case', 'static', 'internal',
                  'public', 'private', 'operator', 'repeat', 'return', 'where', 'while'}


def words(name):
    return [w for w in name.split('_') if w]


def upper_camel(name):
    return ''.join(ACRONYMS.get(w, w[:1].upper() + w[1:]) for w in words(name))


def lower_camel(name):
    ws = words(name)
    first = ws[0]
    rest = ''.join(ACRONYMS.get(w, w[:1].upper() + w[1:]) for w in ws[1:])
    return first + rest


def prop_name(name):
    n = lower_camel(name)
    return f'`{n}`' if n in SWIFT_KEYWORDS else n


def bare(n):
    return n.strip('`')


# --------------------------------------------------------------------------------------
# Schema


class Field:
    def __init__(self, name, typ, count):
        self.name, self.typ, self.count = name, typ, count


class Schema:
    def __init__(self, path):
        self.messages = OrderedDict()   # name -> dict(number, section, fields)
        self.streams = OrderedDict()    # name -> OrderedDict(record -> dict(number, fields))
        self.subtypes = OrderedDict()   # name -> [Field]
        section = ('', '')
        for line in path.read_text().splitlines():
            parts = line.split(',')
            kind = parts[0]
            if kind == '#section':
                section = (parts[1], parts[2])
            elif kind == 'msgtype':
                self.messages[parts[1]] = {'number': int(parts[2]), 'section': section, 'fields': []}
            elif kind == 'msgdata':
                self.messages[parts[1]]['fields'].append(Field(parts[2], parts[3], parts[4]))
            elif kind == 'tlvtype':
                self.streams.setdefault(parts[1], OrderedDict())[parts[2]] = {
                    'number': int(parts[3]), 'fields': []}
            elif kind == 'tlvdata':
                self.streams[parts[1]][parts[2]]['fields'].append(Field(parts[3], parts[4], parts[5]))
            elif kind == 'subtype':
                self.subtypes[parts[1]] = []
            elif kind == 'subtypedata':
                self.subtypes[parts[1]].append(Field(parts[2], parts[3], parts[4]))


# --------------------------------------------------------------------------------------
# Element types: how one value of a spec type is read, written and rendered.


class Elem:
    def __init__(self, swift, read, write, render, size):
        self.swift = swift      # Swift type
        self.read = read        # f(reader, field) -> expression
        self.write = write      # f(writer, value, field) -> statement
        self.render = render    # f(value) -> FieldValue expression
        self.size = size        # fixed byte size, or None


def int_elem(swift, reader_fn, writer_fn, size, signed=False):
    render = (lambda v: f'.signed({v})') if signed else (lambda v: f'.unsigned(UInt64({v}))')
    return Elem(swift, lambda r, f: f'try {r}.{reader_fn}({f})',
                lambda w, v, f: f'{w}.{writer_fn}({v})', render, size)


def fixed_elem(swift, size):
    return Elem(swift, lambda r, f: f'try {swift}(from: &{r}, {f})',
                lambda w, v, f: f'{v}.encode(to: &{w})', lambda v: f'.bytes({v}.bytes)', size)


ELEMS = {
    'byte': int_elem('UInt8', 'readU8', 'writeU8', 1),
    'u8': int_elem('UInt8', 'readU8', 'writeU8', 1),
    'u16': int_elem('UInt16', 'readU16', 'writeU16', 2),
    'u32': int_elem('UInt32', 'readU32', 'writeU32', 4),
    'u64': int_elem('UInt64', 'readU64', 'writeU64', 8),
    's64': int_elem('Int64', 'readS64', 'writeS64', 8, signed=True),
    'bigsize': int_elem('UInt64', 'readBigSize', 'writeBigSize', None),
    'chain_hash': fixed_elem('ChainHash', 32),
    'channel_id': fixed_elem('ChannelID', 32),
    'sha256': fixed_elem('SHA256Hash', 32),
    'point': fixed_elem('Point', 33),
    'signature': fixed_elem('Signature', 64),
    'short_channel_id': Elem('ShortChannelID', lambda r, f: f'try ShortChannelID(from: &{r}, {f})',
                             lambda w, v, f: f'{v}.encode(to: &{w})',
                             lambda v: f'.shortChannelID({v})', 8),
    # `sha256[..4]`: the first 4 bytes of a SHA-256 (attribution data HMACs).
    'sha256[..4]': Elem('[UInt8]', lambda r, f: f'try {r}.readBytes(4, {f})',
                        lambda w, v, f: f'try {w}.writeFixed({v}, count: 4, {f})',
                        lambda v: f'.bytes({v})', 4),
}
TRUNCATED = {'tu16': ('UInt16', 2), 'tu32': ('UInt32', 4), 'tu64': ('UInt64', 8)}


class Gen:
    def __init__(self, schema):
        self.schema = schema
        self.record_structs = OrderedDict()  # struct name -> (signature, code)
        self.subtype_elems = {}
        for name, fields in schema.subtypes.items():
            size = 0
            for f in fields:
                e = ELEMS.get(f.typ)
                if f.count or e is None or e.size is None:
                    size = None
                    break
                size += e.size
            swift = upper_camel(name)
            self.subtype_elems[name] = Elem(
                swift, lambda r, f, s=swift: f'try {s}(from: &{r})',
                lambda w, v, f: f'try {v}.encode(to: &{w})', lambda v: f'.record({v}.fields)', size)

    def elem(self, typ):
        if typ in ELEMS:
            return ELEMS[typ]
        if typ in self.subtype_elems:
            return self.subtype_elems[typ]
        raise SystemExit(f'unknown field type {typ}')

    # ---- field lists (messages, subtypes, multi-field TLV records) ----

    def plan(self, fields, owner):
        """Classify fields: which are length prefixes, which are arrays, which are values."""
        length_of = {}
        for f in fields:
            if f.count and not f.count.isdigit() and f.count != '...':
                if f.count in length_of:
                    raise SystemExit(f'{owner}: {f.count} counts two fields')
                length_of[f.count] = f.name
        plan = []
        for f in fields:
            if f.name in length_of:
                if f.typ != 'u16':
                    raise SystemExit(f'{owner}: length field {f.name} is {f.typ}')
                plan.append(('length', f, length_of[f.name]))
            elif f.name == 'tlvs' or f.typ in self.schema.streams:
                plan.append(('tlvs', f, upper_camel(f.typ)))
            else:
                plan.append(('value', f, None))
        return plan

    def swift_type(self, f):
        if f.name == 'temporary_channel_id' and f.typ == 'byte' and f.count == '32':
            return 'ChannelID'
        if f.typ in TRUNCATED:
            return TRUNCATED[f.typ][0]
        e = self.elem(f.typ)
        if f.count:
            return '[UInt8]' if e.swift == 'UInt8' else f'[{e.swift}]'
        return e.swift

    def read_expr(self, f, reader, path, length_var=None):
        fld = f'"{path}"'
        if f.name == 'temporary_channel_id' and f.typ == 'byte' and f.count == '32':
            return f'try ChannelID(from: &{reader}, {fld})'
        if f.typ in TRUNCATED:
            swift, width = TRUNCATED[f.typ]
            expr = f'try {reader}.readTruncated(maxBytes: {width}, {fld})'
            # At most `width` bytes were read, so the value fits.
            return expr if swift == 'UInt64' else f'{swift}(truncatingIfNeeded: {expr})'
        e = self.elem(f.typ)
        if not f.count:
            return e.read(reader, fld)
        if e.swift == 'UInt8':
            if f.count == '...':
                return f'{reader}.readRemaining()'
            n = f.count if f.count.isdigit() else f'Int({length_var})'
            return f'try {reader}.readBytes({n}, {fld})'
        body = e.read('r', '""')
        if f.count == '...':
            if e.size is None:
                raise SystemExit(f'{path}: variable-size elements to the end')
            return (f'try {reader}.readArrayToEnd(elementSize: {e.size}, {fld}) '
                    f'{{ r throws(WireError) in {body} }}')
        n = f.count if f.count.isdigit() else f'Int({length_var})'
        return f'try {reader}.readArray(count: {n}, {fld}) {{ r throws(WireError) in {body} }}'

    def write_stmts(self, f, writer, value, path):
        fld = f'"{path}"'
        if f.name == 'temporary_channel_id' and f.typ == 'byte' and f.count == '32':
            return [f'{value}.encode(to: &{writer})']
        if f.typ in TRUNCATED:
            return [f'{writer}.writeTruncated(UInt64({value}))']
        e = self.elem(f.typ)
        if not f.count:
            return [e.write(writer, value, fld)]
        if e.swift == 'UInt8':
            if f.count.isdigit():
                return [f'try {writer}.writeFixed({value}, count: {f.count}, {fld})']
            return [f'{writer}.writeBytes({value})']
        stmts = []
        if f.count.isdigit():
            stmts.append(f'guard {value}.count == {f.count} else {{ throw WireError(.wrongFixedLength(count: {value}.count, expected: {f.count}), field: {fld}, offset: {writer}.bytes.count) }}')
        stmts.append(f'for element in {value} {{ {e.write(writer, "element", fld)} }}')
        return stmts

    def render_expr(self, f, value):
        if f.name == 'temporary_channel_id' and f.typ == 'byte' and f.count == '32':
            return f'.bytes({value}.bytes)'
        if f.typ in TRUNCATED:
            return f'.unsigned(UInt64({value}))'
        e = self.elem(f.typ)
        if not f.count:
            return e.render(value)
        if e.swift == 'UInt8':
            return f'.bytes({value})'
        return f'.array({value}.map {{ {e.render("$0")} }})'

    def value_expr(self, f, value, form):
        """A Swift expression making a value of `f`'s type from `value`, or None when `f` (a
        subtype) has no such form. `form` gives one template per shape: `unsigned(v, type)`,
        `signed(v)`, `scid(v)`, `bytes(v, count)` (count: digits or None), `fixed(v, type)`,
        `list(v, item)`; `assign_expr` (text) and `convert_expr` (named values) use it."""
        if f.name == 'temporary_channel_id' and f.typ == 'byte' and f.count == '32':
            return form['fixed'](value, 'ChannelID')
        if f.typ in TRUNCATED:
            return form['unsigned'](value, TRUNCATED[f.typ][0])
        e = self.elem(f.typ)

        def one(v):
            if e.swift in ('UInt8', 'UInt16', 'UInt32', 'UInt64'):
                return form['unsigned'](v, e.swift)
            if e.swift == 'Int64':
                return form['signed'](v)
            if e.swift == 'ShortChannelID':
                return form['scid'](v)
            if e.swift == '[UInt8]':
                return form['bytes'](v, str(e.size))
            if f.typ in self.subtype_elems:
                return None
            return form['fixed'](v, e.swift)
        if not f.count:
            return one(value)
        if e.swift == 'UInt8':
            return form['bytes'](value, f.count if f.count.isdigit() else None)
        inner = one('$0')
        return None if inner is None else form['list'](value, inner)

    def assign_expr(self, f, text='text', field='field'):
        """A Swift expression setting a value of `f` from text, or None if not settable."""
        return self.value_expr(f, text, {
            'unsigned': lambda v, t: f'try FieldText.unsigned({v}, {field})',
            'signed': lambda v: f'try FieldText.signed({v}, {field})',
            'scid': lambda v: f'try FieldText.shortChannelID({v}, {field})',
            'bytes': lambda v, n: f'try FieldText.bytes({v}, {field}, count: {n or "nil"})',
            'fixed': lambda v, t: f'try FieldText.fixed({v}, {field})',
            'list': lambda v, item: f'try FieldText.list({v}, {field}) {{ (s: String) throws(AssignmentError) in {item.replace("$0", "s")} }}',
        })

    def default_expr(self, f):
        """A placeholder value of `f`'s type: zeros, the generator point, Bitcoin's chain."""
        if f.name == 'temporary_channel_id' and f.typ == 'byte' and f.count == '32':
            return 'ChannelID.zero'
        if f.typ in TRUNCATED:
            return '0'
        e = self.elem(f.typ)
        if f.count:
            if e.swift == 'UInt8':
                return f'[UInt8](repeating: 0, count: {f.count})' if f.count.isdigit() else '[]'
            if f.count.isdigit():
                return f'Array(repeating: {self.one_default(e, f)}, count: {f.count})'
            return '[]'
        return self.one_default(e, f)

    def one_default(self, e, f):
        if e.swift in ('UInt8', 'UInt16', 'UInt32', 'UInt64', 'Int64'):
            return '0'
        if e.swift == 'ShortChannelID':
            return 'ShortChannelID(rawValue: 0)'
        if e.swift == '[UInt8]':
            return f'[UInt8](repeating: 0, count: {e.size})'
        if e.swift == 'Point':
            return 'Point.generator'
        if e.swift == 'ChainHash':
            return 'ChainHash.bitcoin'
        if f.typ in self.subtype_elems:
            return None
        return f'{e.swift}.zero'

    def field_struct(self, name, fields, doc, owner, conformance='Hashable, Sendable',
                     static_lines=(), extra_props=(), message=None):
        """A struct with stored properties for `fields`, plus decode, encode and `fields`."""
        plan = self.plan(fields, owner)
        L = []
        L += doc
        L.append(f'public struct {name}: {conformance} {{')
        L += ['    ' + s for s in static_lines]
        if static_lines:
            L.append('')
        params = []
        for kind, f, extra in plan:
            if kind == 'length':
                continue
            p = prop_name(f.name)
            if kind == 'tlvs':
                L.append(f'    /// The TLV extension (`{f.typ}`).')
                L.append(f'    public var {p}: {extra}')
                params.append((p, extra, f' = {extra}()'))
                continue
            t = self.swift_type(f)
            note = f' (`{f.count}*{f.typ}`)' if f.count else ('' if f.typ == f.name else f' (`{f.typ}`)')
            L.append(f'    /// `{f.name}`{note}.')
            L.append(f'    public var {p}: {t}')
            params.append((p, t, ''))
        for p, t, default, doc_line in extra_props:
            L.append(f'    /// {doc_line}')
            L.append(f'    public var {p}: {t}')
            params.append((p, t, default))
        L.append('')
        # memberwise init
        sig = ', '.join(f'{bare(p)}: {t}{d}' for p, t, d in params)
        L.append(f'    public init({sig}) {{')
        for p, _, _ in params:
            L.append(f'        self.{bare(p)} = {bare(p)}')
        L.append('    }')
        L.append('')
        # decoder
        L.append('    public init(from reader: inout WireReader) throws(WireError) {')
        for kind, f, extra in plan:
            p = bare(prop_name(f.name))
            if kind == 'length':
                L.append(f'        let {p}Count = try reader.readU16("{f.name}")')
            elif kind == 'tlvs':
                L.append(f'        {p} = try {extra}(from: &reader)')
            else:
                length_var = None
                if f.count and not f.count.isdigit() and f.count != '...':
                    length_var = bare(prop_name(f.count)) + 'Count'
                L.append(f'        {p} = {self.read_expr(f, "reader", f.name, length_var)}')
        for p, t, default, _ in extra_props:
            L.append(f'        {bare(p)} = reader.readRemaining()')
        L.append('    }')
        L.append('')
        # encoder
        L.append('    public func encode(to writer: inout WireWriter) throws(WireError) {')
        for kind, f, extra in plan:
            p = bare(prop_name(f.name))
            if kind == 'length':
                L.append(f'        try writer.writeU16Count({bare(prop_name(extra))}.count, "{f.name}")')
            elif kind == 'tlvs':
                L.append(f'        try {p}.encode(to: &writer)')
            else:
                for s in self.write_stmts(f, 'writer', p, f.name):
                    L.append(f'        {s}')
        for p, t, default, _ in extra_props:
            L.append(f'        writer.writeBytes({bare(p)})')
        L.append('    }')
        L.append('')
        # fields
        L.append('    public var fields: [WireField] {')
        items = []
        for kind, f, extra in plan:
            p = bare(prop_name(f.name))
            if kind == 'length':
                items.append(f'WireField("{f.name}", .unsigned(UInt64({bare(prop_name(extra))}.count)))')
            elif kind == 'tlvs':
                continue
            else:
                items.append(f'WireField("{f.name}", {self.render_expr(f, p)})')
        if extra_props:
            L.append('        var fields: [WireField] = [')
            for it in items:
                L.append(f'            {it},')
            L.append('        ]')
            for p, t, default, _ in extra_props:
                L.append(f'        if !{bare(p)}.isEmpty {{ fields.append(WireField("{bare_snake(p)}", .bytes({bare(p)}))) }}')
            L.append('        return fields')
        elif items:
            L.append('        [')
            for it in items:
                L.append(f'            {it},')
            L.append('        ]')
        else:
            L.append('        []')
        L.append('    }')
        if message is not None:
            L.append('')
            has_tlvs = any(k == 'tlvs' for k, _, _ in plan)
            L.append('    public var tlvFields: [WireField] { ' + ('tlvs.fields' if has_tlvs else '[]') + ' }')
            L += self.assign_method(plan, extra_props)
            defaults = []
            for kind, f, extra in plan:
                if kind == 'value':
                    defaults.append(f'{bare(prop_name(f.name))}: {self.default_expr(f)}')
            L.append('')
            L.append('    /// A message with placeholder values: zeros, the generator point, Bitcoin\'s chain,')
            L.append('    /// empty byte strings and lists, no TLV records.')
            L.append('    public init() {')
            L.append(f'        self.init({", ".join(defaults)})')
            L.append('    }')
        L.append('}')
        return L

    def assign_method(self, plan, extra_props):
        """`assign(_:_:)`: sets a field (or, through `tlvs.` or a bare record name, a TLV
        record) from text. Length prefixes follow from their data and cannot be set."""
        L = ['',
             '    /// Sets the field named as in the spec from text (see ``FieldText``); a name that is',
             '    /// not a field is looked up among the TLV records.',
             '    public mutating func assign(_ field: String, _ text: String) throws(AssignmentError) {',
             '        switch field {']
        for kind, f, extra in plan:
            p = bare(prop_name(f.name))
            if kind == 'length':
                L.append(f'        case "{f.name}": throw AssignmentError(field, "a length prefix follows from `{extra}`")')
            elif kind == 'value':
                expr = self.assign_expr(f)
                if expr is None:
                    L.append(f'        case "{f.name}": throw AssignmentError(field, "cannot be set from text")')
                else:
                    L.append(f'        case "{f.name}": {p} = {expr}')
        for p, t, default, _ in extra_props:
            L.append(f'        case "{bare_snake(p)}": {bare(p)} = try FieldText.bytes(text, field)')
        L.append('        default:')
        if any(k == 'tlvs' for k, _, _ in plan):
            L.append('            let record = field.hasPrefix("tlvs.") ? String(field.dropFirst(5)) : field')
            L.append('            try tlvs.assign(record, text)')
        else:
            L.append('            throw AssignmentError(field, "no such field")')
        L.append('        }')
        L.append('    }')
        return L

    # ---- TLV streams ----

    def record_struct_name(self, stream, record, fields):
        base = upper_camel(record)
        signature = tuple((f.name, f.typ, f.count) for f in fields)
        existing = self.record_structs.get(base)
        if existing is None or existing[0] == signature:
            return base, existing is None
        alt = upper_camel(stream) + base
        return alt, alt not in self.record_structs

    def stream_struct(self, stream, records):
        name = upper_camel(stream)
        L = [f'/// The `{stream}` TLV stream (BOLT #1 §"Type-Length-Value Format").',
             f'public struct {name}: TLVStream {{']
        props = []
        for rname, rec in records.items():
            p = prop_name(rname)
            fields = rec['fields']
            num = rec['number']
            if not fields:
                props.append((p, 'Bool', 'false', rname, num, 'flag', None))
                L.append(f'    /// `{rname}` (type {num}): present or not.')
                L.append(f'    public var {p}: Bool')
            elif len(fields) == 1:
                f = fields[0]
                t = self.swift_type(f)
                props.append((p, t + '?', 'nil', rname, num, 'single', f))
                L.append(f'    /// `{rname}` (type {num}): `{f.name}`.')
                L.append(f'    public var {p}: {t}?')
            else:
                sname, new = self.record_struct_name(stream, rname, fields)
                if new:
                    code = self.field_struct(
                        sname, fields,
                        [f'/// The `{rname}` TLV record\'s value (in `{stream}`).'], f'{stream}.{rname}')
                    self.record_structs[sname] = (tuple((f.name, f.typ, f.count) for f in fields), code)
                props.append((p, sname + '?', 'nil', rname, num, 'record', sname))
                L.append(f'    /// `{rname}` (type {num}).')
                L.append(f'    public var {p}: {sname}?')
        L.append('    /// Records of unknown odd types, kept so the stream re-encodes byte for byte.')
        L.append('    public var unknownRecords: [TLVRecord]')
        L.append('')
        sig = ', '.join(f'{bare(p)}: {t} = {d}' for p, t, d, *_ in props)
        sig = (sig + ', ' if sig else '') + 'unknownRecords: [TLVRecord] = []'
        L.append(f'    public init({sig}) {{')
        for p, *_ in props:
            L.append(f'        self.{bare(p)} = {bare(p)}')
        L.append('        self.unknownRecords = unknownRecords')
        L.append('    }')
        L.append('')
        L.append('    public init(from reader: inout WireReader) throws(WireError) {')
        L.append('        self.init()')
        L.append('        var stream = TLVStreamReader()')
        binding = 'var' if any(k != 'flag' for *_, k, _ in props) else 'let'
        L.append(f'        while {binding} record = try stream.next(&reader) {{')
        L.append('            switch record.type {')
        for p, t, d, rname, num, kind, extra in props:
            L.append(f'            case {num}:')
            path = f'tlvs.{rname}'
            if kind == 'flag':
                L.append(f'                {bare(p)} = true')
            elif kind == 'single':
                f = extra
                expr = self.read_expr(f, 'record.value', f'{path}.{f.name}')
                L.append(f'                {bare(p)} = {expr}')
            else:
                L.append(f'                {bare(p)} = try record.decode("{path}") {{ r throws(WireError) in try {extra}(from: &r) }}')
        L.append('            default:')
        L.append('                unknownRecords.append(try record.unknown())')
        L.append('                continue')
        L.append('            }')
        L.append('            try record.finish()')
        L.append('        }')
        L.append('    }')
        L.append('')
        L.append('    public func encode(to writer: inout WireWriter) throws(WireError) {')
        L.append('        var records = TLVStreamWriter(unknown: unknownRecords)')
        for p, t, d, rname, num, kind, extra in props:
            bp = bare(p)
            if kind == 'flag':
                L.append(f'        if {bp} {{ try records.add({num}) {{ _ in }} }}')
            elif kind == 'single':
                stmts = self.write_stmts(extra, 'w', 'value', f'tlvs.{rname}.{extra.name}')
                L.append(f'        if let value = {bp} {{')
                L.append(f'            try records.add({num}) {{ w throws(WireError) in')
                for s in stmts:
                    L.append(f'                {s}')
                L.append('            }')
                L.append('        }')
            else:
                L.append(f'        if let value = {bp} {{ try records.add({num}) {{ w throws(WireError) in try value.encode(to: &w) }} }}')
        L.append('        records.write(to: &writer)')
        L.append('    }')
        L.append('')
        L.append('    public var fields: [WireField] {')
        L.append('        var fields: [(type: UInt64, field: WireField)] = unknownRecords.map { ($0.type, $0.field) }')
        for p, t, d, rname, num, kind, extra in props:
            bp = bare(p)
            if kind == 'flag':
                L.append(f'        if {bp} {{ fields.append(({num}, WireField("{rname}", .record([])))) }}')
            elif kind == 'single':
                f = extra
                L.append(f'        if let value = {bp} {{ fields.append(({num}, WireField("{rname}", .record([WireField("{f.name}", {self.render_expr(f, "value")})])))) }}')
            else:
                L.append(f'        if let value = {bp} {{ fields.append(({num}, WireField("{rname}", .record(value.fields)))) }}')
        L.append('        return fields.sorted { $0.type < $1.type }.map(\\.field)')
        L.append('    }')
        L.append('')
        L.append('    /// The records a source named (as the spec names them), converted to their types; a')
        L.append('    /// record of the wrong shape is left out (the first of two same names wins).')
        L.append('    public init(named records: [WireField]) {')
        L.append('        self.init()')
        L.append('        for record in records.reversed() { _ = set(named: record.name, record.value) }')
        L.append('    }')
        L.append('')
        L.append('    /// Sets the record the spec calls `record` from a source\'s value (a `.record` of its')
        L.append('    /// fields; any value for a record without fields): `false` when the stream has no such')
        L.append('    /// record, or the value has the wrong shape.')
        L.append('    public mutating func set(named record: String, _ value: FieldValue) -> Bool {')
        L.append('        switch record {')
        for p, t, d, rname, num, kind, extra in props:
            bp = bare(p)
            if kind == 'flag':
                L.append(f'        case "{rname}":')
                L.append(f'            {bp} = true')
                L.append('            return true')
                continue
            if kind == 'single':
                expr = self.convert_expr(extra, 'fields["' + extra.name + '"]')
                if expr is None:
                    continue
                L.append(f'        case "{rname}":')
                L.append(f'            guard case let .record(fields) = value, let converted = {expr} else {{ return false }}')
                L.append(f'            {bp} = converted')
                L.append('            return true')
            else:
                rfields = self.schema.streams[stream][rname]['fields']
                exprs = [self.convert_expr(f, f'fields["{f.name}"]') for f in rfields]
                plan = self.plan(rfields, rname)
                if any(x is None for x in exprs) or any(k != 'value' for k, _, _ in plan):
                    continue
                binds = ', '.join(f'let {bare(prop_name(f.name))} = {x}' for f, x in zip(rfields, exprs))
                args = ', '.join(f'{bare(prop_name(f.name))}: {bare(prop_name(f.name))}' for f in rfields)
                L.append(f'        case "{rname}":')
                L.append(f'            guard case let .record(fields) = value, {binds} else {{ return false }}')
                L.append(f'            {bp} = {extra}({args})')
                L.append('            return true')
        L.append('        default:')
        L.append('            return false')
        L.append('        }')
        L.append('    }')
        L.append('')
        L.append('    /// Sets a record from text: `record=value` (`none` removes it; a multi-field record takes')
        L.append('    /// comma-separated values in order; a record of unknown type is named by its number).')
        L.append('    public mutating func assign(_ field: String, _ text: String) throws(AssignmentError) {')
        L.append('        switch field {')
        for p, t, d, rname, num, kind, extra in props:
            bp = bare(p)
            if kind == 'flag':
                L.append(f'        case "{rname}": {bp} = text == "none" ? false : try FieldText.flag(text, field)')
            elif kind == 'single':
                expr = self.assign_expr(extra)
                if expr is None:
                    L.append(f'        case "{rname}": throw AssignmentError(field, "cannot be set from text")')
                else:
                    L.append(f'        case "{rname}": {bp} = text == "none" ? nil : {expr}')
            else:
                fields = self.schema.streams[stream][rname]['fields']
                exprs = [self.assign_expr(f, text=f'parts[{i}]') for i, f in enumerate(fields)]
                if any(x is None for x in exprs):
                    L.append(f'        case "{rname}": throw AssignmentError(field, "cannot be set from text")')
                    continue
                L.append(f'        case "{rname}":')
                L.append(f'            if text == "none" {{ {bp} = nil; return }}')
                L.append(f'            let parts = try FieldText.parts(text, field, count: {len(fields)})')
                args = ', '.join(f'{bare(prop_name(f.name))}: {x}' for f, x in zip(fields, exprs))
                L.append(f'            {bp} = {extra}({args})')
        L.append('        default:')
        L.append('            guard let type = UInt64(field) else { throw AssignmentError(field, "no such field or TLV record") }')
        L.append('            try assignUnknown(type, text, field)')
        L.append('        }')
        L.append('    }')
        L.append('}')
        return L

    # ---- messages ----

    def message_struct(self, mname, msg):
        sname = TYPE_NAMES.get(mname, upper_camel(mname))
        bolt, heading = msg['section']
        doc = [f'/// `{mname}` (type {msg["number"]}), BOLT #{int(bolt)} §"{heading.replace("`", "")}".']
        fields = list(msg['fields'])
        extra = []
        if mname in RAW_TRAILING:
            extra = [('trailingBytes', '[UInt8]', ' = []',
                      'Bytes after the defined fields: "future fields" the signature covers (BOLT #7).')]
        elif not any(f.name == 'tlvs' for f in fields):
            fields.append(Field('tlvs', 'extension_tlvs', ''))
        statics = [f'public static let type: UInt16 = {msg["number"]}',
                   f'public static let name = "{mname}"',
                   f'public static let section = "BOLT #{int(bolt)} §{heading.replace(chr(34), "")}"']
        self.schema.streams.setdefault('extension_tlvs', None)
        return sname, self.field_struct(sname, fields, doc, mname, conformance='WireMessage',
                                        static_lines=statics, extra_props=extra, message=mname)

    def generate(self):
        out = [HEADER, '']
        body = []
        cases = []
        for mname, msg in self.schema.messages.items():
            sname, code = self.message_struct(mname, msg)
            body += code + ['']
            case = CASE_NAMES.get(mname, lower_camel(mname))
            has_cid = any(f.name in ('channel_id', 'temporary_channel_id') for f in msg['fields'])
            cid_field = next((f.name for f in msg['fields'] if f.name in ('channel_id', 'temporary_channel_id')), None)
            cases.append((case, sname, mname, msg['number'], cid_field))
        streams = []
        for sname, records in self.schema.streams.items():
            if records is None or sname in TEST_STREAMS:
                continue
            streams += self.stream_struct(sname, records) + ['']
        subtypes = []
        for name, fields in self.schema.subtypes.items():
            subtypes += self.field_struct(upper_camel(name), fields,
                                          [f'/// The `{name}` subtype.'], name) + ['']
        records = []
        for _, (_, code) in self.record_structs.items():
            records += code + ['']

        enum = ['/// Any BOLT #1/#2/#7 message, or an unknown one kept as raw bytes.',
                'public enum Message: Hashable, Sendable {']
        for case, sname, mname, num, _ in cases:
            enum.append(f'    /// `{mname}` ({num}).')
            enum.append(f'    case {case}({sname})')
        enum.append('    /// A type this codec does not know.')
        enum.append('    case unknown(UnknownMessage)')
        enum.append('')
        enum.append('    /// Every known message type: number → name and defining section.')
        enum.append('    public static let knownTypes: [UInt16: (name: String, section: String)] = [')
        for case, sname, mname, num, _ in cases:
            enum.append(f'        {sname}.type: ({sname}.name, {sname}.section),')
        enum.append('    ]')
        enum.append('')
        enum.append('    static func decodePayload(type: UInt16, _ reader: inout WireReader) throws(WireError) -> Message {')
        enum.append('        switch type {')
        for case, sname, mname, num, _ in cases:
            enum.append(f'        case {sname}.type: .{case}(try {sname}(from: &reader))')
        enum.append('        default: .unknown(UnknownMessage(type: type, payload: reader.readRemaining()))')
        enum.append('        }')
        enum.append('    }')
        enum.append('')
        enum.append('    /// The message\'s kind, `nil` for an unknown type; read without copying the message')
        enum.append('    /// (``payload`` boxes it).')
        enum.append('    public var kind: MessageKind? {')
        enum.append('        switch self {')
        for case, sname, mname, num, _ in cases:
            enum.append(f'        case .{case}: .{case}')
        enum.append('        case .unknown: nil')
        enum.append('        }')
        enum.append('    }')
        enum.append('')
        enum.append('    /// The decoded message, or `nil` for an unknown type.')
        enum.append('    public var payload: (any WireMessage)? {')
        enum.append('        switch self {')
        for case, sname, mname, num, _ in cases:
            enum.append(f'        case let .{case}(message): message')
        enum.append('        case .unknown: nil')
        enum.append('        }')
        enum.append('    }')
        enum.append('')
        enum.append('    /// A message of `type` with placeholder values, or `nil` for an unknown type.')
        enum.append('    public static func placeholder(type: UInt16) -> Message? {')
        enum.append('        switch type {')
        for case, sname, mname, num, _ in cases:
            enum.append(f'        case {sname}.type: .{case}({sname}())')
        enum.append('        default: nil')
        enum.append('        }')
        enum.append('    }')
        enum.append('')
        enum.append('    /// Sets a field or TLV record from text (see ``FieldText``).')
        enum.append('    public mutating func assign(_ field: String, _ text: String) throws(AssignmentError) {')
        enum.append('        switch self {')
        for case, sname, mname, num, _ in cases:
            enum.append(f'        case var .{case}(message):')
            enum.append('            try message.assign(field, text)')
            enum.append(f'            self = .{case}(message)')
        enum.append('        case .unknown:')
        enum.append('            throw AssignmentError(field, "an unknown message has no fields")')
        enum.append('        }')
        enum.append('    }')
        enum.append('')
        enum.append('    /// The channel the message belongs to: its `channel_id` or `temporary_channel_id`.')
        enum.append('    public var channelID: ChannelID? {')
        enum.append('        switch self {')
        for case, sname, mname, num, cid in cases:
            if cid:
                enum.append(f'        case let .{case}(message): message.{lower_camel(cid)}')
        enum.append('        default: nil')
        enum.append('        }')
        enum.append('    }')
        enum.append('}')
        out += enum + [''] + body + streams + records + subtypes
        text = '\n'.join(out).rstrip() + '\n'
        return text.replace('\n\n\n', '\n\n')

    # ---- typed partial messages (what a trace knows of each message, typed) ----

    def convert_expr(self, f, value):
        """A Swift expression converting the `FieldValue?` `value` to `f`'s type, or None."""
        return self.value_expr(f, value, {
            'unsigned': lambda v, t: f'PartialValue.unsigned({v}, {t}.self)',
            'signed': lambda v: f'PartialValue.signed({v})',
            'scid': lambda v: f'PartialValue.shortChannelID({v})',
            'bytes': lambda v, n: f'PartialValue.bytes({v})',
            'fixed': lambda v, t: f'PartialValue.fixed({v}, {t}.self)',
            'list': lambda v, item: f'PartialValue.list({v}, {{ {item} }})',
        })

    def partial_struct(self, sname, mname, fields, extra):
        plan = self.plan(fields, mname)
        props = []  # (prop, swift type, spec name, kind, f)
        for kind, f, extra_t in plan:
            if kind == 'length':
                # A length prefix, as its list's count (a log may give the count alone).
                props.append((prop_name(f.name), 'UInt16', f.name, 'length', extra_t))
                continue
            if kind == 'tlvs':
                props.append((prop_name(f.name), extra_t, f.name, 'tlvs', f))
            else:
                props.append((prop_name(f.name), self.swift_type(f), f.name, 'value', f))
        for p, t, default, doc_line in extra:
            props.append((p, t, bare_snake(p), 'extra', None))
        tlvs_type = next((t for p, t, spec, kind, f in props if kind == 'tlvs'), None)
        L = [f'extension {sname} {{',
             f'    /// `{mname}` as far as a source gives it: every field optional (a log line may give',
             '    /// a few; a decoded message gives all).',
             '    public struct Partial: Hashable, Sendable {']
        for p, t, spec, kind, f in props:
            L.append(f'        /// `{spec}`.')
            L.append(f'        public var {p}: {t}?')
        L.append('')
        L.append('        public init() {}')
        L.append('')
        L.append('        /// Every field of a decoded message.')
        L.append(f'        public init(_ message: {sname}) {{')
        for p, t, spec, kind, f in props:
            if kind == 'length':
                L.append(f'            {bare(p)} = UInt16(truncatingIfNeeded: message.{bare(prop_name(f))}.count)')
            else:
                L.append(f'            {bare(p)} = message.{bare(p)}')
        L.append('        }')
        L.append('')
        L.append('        /// The fields a source named (as the spec names them), converted to their types;')
        L.append('        /// a value of the wrong shape or size is left out (the first of two same names wins).')
        L.append('        public init(named fields: [WireField], tlvs records: [WireField] = []) {')
        L.append('            for field in fields.reversed() { _ = set(named: field.name, field.value) }')
        if tlvs_type is not None:
            L.append(f'            tlvs = records.isEmpty ? nil : {tlvs_type}(named: records)')
        L.append('        }')
        L.append('')
        L.append('        /// Sets the field the spec calls `name` from a source\'s value: `false` when the message')
        L.append('        /// has no such field, or the value has the wrong shape, size or width.')
        L.append('        public mutating func set(named name: String, _ value: FieldValue) -> Bool {')
        L.append('            switch name {')
        for p, t, spec, kind, f in props:
            if kind == 'length':
                expr = 'PartialValue.unsigned(value, UInt16.self)'
            elif kind == 'extra':
                expr = 'PartialValue.bytes(value)'
            elif kind == 'value':
                expr = self.convert_expr(f, 'value')
            else:
                continue
            if expr is None:
                continue
            L.append(f'            case "{spec}":')
            L.append(f'                guard let converted = {expr} else {{ return false }}')
            L.append(f'                {bare(p)} = converted')
            L.append('                return true')
        L.append('            default:')
        L.append('                return false')
        L.append('            }')
        L.append('        }')
        L.append('')
        L.append('        /// Sets the TLV record the spec calls `record` (its value a `.record` of its fields):')
        L.append('        /// `false` when the message has no such record, or the value has the wrong shape.')
        L.append('        public mutating func setRecord(named record: String, _ value: FieldValue) -> Bool {')
        if tlvs_type is None:
            L.append('            false')
        else:
            L.append(f'            var stream = tlvs ?? {tlvs_type}()')
            L.append('            guard stream.set(named: record, value) else { return false }')
            L.append('            tlvs = stream')
            L.append('            return true')
        L.append('        }')
        L.append('')
        L.append('        /// The fields the source gave, in wire order, named as in the spec: the view reports')
        L.append('        /// and filters read (rules read the typed properties).')
        L.append('        public var fields: [WireField] {')
        L.append('            var out: [WireField] = []')
        for p, t, spec, kind, f in props:
            if kind == 'length':
                L.append(f'            if let value = {bare(p)} {{ out.append(WireField("{spec}", .unsigned(UInt64(value)))) }}')
            elif kind == 'extra':
                L.append(f'            if let value = {bare(p)}, !value.isEmpty {{ out.append(WireField("{spec}", .bytes(value))) }}')
            elif kind == 'value':
                L.append(f'            if let value = {bare(p)} {{ out.append(WireField("{spec}", {self.render_expr(f, "value")})) }}')
        L.append('            return out')
        L.append('        }')
        L.append('')
        L.append('        /// The TLV records the source gave, named as in the spec.')
        L.append('        public var tlvFields: [WireField] { ' + ('tlvs?.fields ?? []' if tlvs_type else '[]') + ' }')
        L.append('    }')
        L.append('}')
        return L, props

    def record_type(self, stream, rname, fields):
        """The Swift type of a TLV record's value in its stream's struct."""
        if not fields:
            return 'Bool'
        if len(fields) == 1:
            return self.swift_type(fields[0])
        sig = tuple((f.name, f.typ, f.count) for f in fields)
        base = upper_camel(rname)
        existing = self.record_structs.get(base)
        return base if existing is not None and existing[0] == sig else upper_camel(stream) + base

    def generate_typed(self):
        cases = []
        field_types = OrderedDict()  # prop -> (swift type, spec name, [case])
        conflicts = set()
        record_types = OrderedDict()  # accessor -> (swift type, record name, stream prop, [case])
        record_conflicts = set()
        structs = []
        for mname, msg in self.schema.messages.items():
            sname = TYPE_NAMES.get(mname, upper_camel(mname))
            case = CASE_NAMES.get(mname, lower_camel(mname))
            fields = list(msg['fields'])
            extra = []
            if mname in RAW_TRAILING:
                extra = [('trailingBytes', '[UInt8]', ' = []', '')]
            elif not any(f.name == 'tlvs' for f in fields):
                fields.append(Field('tlvs', 'extension_tlvs', ''))
            code, props = self.partial_struct(sname, mname, fields, extra)
            structs += code + ['']
            cases.append((case, sname, mname, msg['number']))
            for p, t, spec, kind, f in props:
                if kind == 'tlvs':
                    for rname, rec in (self.schema.streams.get(f.typ) or {}).items():
                        rt = self.record_type(f.typ, rname, rec['fields'])
                        rkey = bare(prop_name(rname)) + 'Record'
                        if rkey in record_types and record_types[rkey][0] != rt:
                            record_conflicts.add(rkey)
                        record_types.setdefault(rkey, (rt, rname, bare(prop_name(rname)), []))[3].append(case)
                    continue
                key = bare(p)
                if key in field_types and field_types[key][0] != t:
                    conflicts.add(key)
                field_types.setdefault(key, (t, spec, []))[2].append(case)
        case_names = {c for c, _, _, _ in cases}
        L = [HEADER, '',
             '/// The kind of a BOLT #1/#2/#7 message: its type number.',
             'public enum MessageKind: UInt16, CaseIterable, Hashable, Sendable {']
        for case, sname, mname, num in cases:
            L.append(f'    /// `{mname}`.')
            L.append(f'    case {case} = {num}')
        L += ['',
              '    /// The spec name (`update_add_htlc`).',
              '    public var name: String {',
              '        switch self {']
        for case, sname, mname, num in cases:
            L.append(f'        case .{case}: {sname}.name')
        L += ['        }', '    }', '',
              '    /// The kind a spec name names (for inputs that give names, not numbers).',
              '    public init?(name: String) {',
              '        switch name {']
        for case, sname, mname, num in cases:
            L.append(f'        case {sname}.name: self = .{case}')
        L += ['        default: return nil', '        }', '    }', '}', '',
              '/// What a trace knows of one message, typed: the message\'s ``MessageKind`` and its fields',
              '/// as far as the source gives them (see each message\'s `Partial`). Rules read fields',
              '/// through the properties below, one per field name of the spec, `nil` when the',
              '/// message has no such field or the source does not give it.',
              'public enum TypedMessage: Hashable, Sendable {']
        for case, sname, mname, num in cases:
            L.append(f'    case {case}({sname}.Partial)')
        L += ['    /// A message of a type this codec does not know (or none).',
              '    case unknown(type: UInt16?)', '',
              '    public init(_ content: MessageContent) {',
              '        switch content {',
              '        case let .decoded(message):',
              '            switch message {']
        for case, sname, mname, num in cases:
            L.append(f'            case let .{case}(m): self = .{case}({sname}.Partial(m))')
        L += ['            case let .unknown(m): self = .unknown(type: m.type)',
              '            }',
              '        case let .partial(message):',
              '            self = message.typed',
              '        case let .undecodable(type, _, _):',
              '            self = .unknown(type: type)',
              '        }',
              '    }', '',
              '    /// A message of the kind (`.unknown` for none) with the fields a source named (as the',
              '    /// spec names them), converted to their types; none known yet by default.',
              '    public init(kind: MessageKind?, type: UInt16? = nil, named fields: [WireField] = [], tlvs records: [WireField] = []) {',
              '        switch kind {']
        for case, sname, mname, num in cases:
            L.append(f'        case .{case}: self = .{case}({sname}.Partial(named: fields, tlvs: records))')
        L += ['        case nil: self = .unknown(type: type)',
              '        }',
              '    }', '']
        for fn, sig, call, none in (
                ('fields', 'public var fields: [WireField]', 'm.fields', '[]'),
                ('tlvFields', 'public var tlvFields: [WireField]', 'm.tlvFields', '[]')):
            doc = ('    /// The fields the source gave, in wire order, named as in the spec (a view for reports).'
                   if fn == 'fields' else '    /// The TLV records the source gave, named as in the spec.')
            L += [doc, f'    {sig} {{', '        switch self {']
            for case, sname, mname, num in cases:
                L.append(f'        case let .{case}(m): {call}')
            L += [f'        case .unknown: {none}', '        }', '    }', '']
        for fn, doc in (('set', 'field'), ('setRecord', 'TLV record')):
            L += [f'    /// Sets the {doc} the spec calls `name` from a source\'s value (see each `Partial`);',
                  '    /// `false` when the message has none of that name or the value does not fit.',
                  f'    public mutating func {fn}(named name: String, _ value: FieldValue) -> Bool {{',
                  '        switch self {']
            for case, sname, mname, num in cases:
                L += [f'        case var .{case}(m):',
                      f'            defer {{ self = .{case}(m) }}',
                      f'            return m.{fn}(named: name, value)']
            L += ['        case .unknown: return false', '        }', '    }', '']
        L += [
              '    public var kind: MessageKind? {',
              '        switch self {']
        for case, sname, mname, num in cases:
            L.append(f'        case .{case}: .{case}')
        L += ['        case .unknown: nil', '        }', '    }']
        for key, (t, spec, owners) in field_types.items():
            if key in conflicts or key in case_names or key == 'kind':
                continue
            p = prop_name(spec) if bare(prop_name(spec)) == key else key
            L.append('')
            L.append(f'    /// `{spec}`.')
            L.append(f'    public var {p}: {t}? {{')
            L.append('        get {')
            L.append('            switch self {')
            for case in owners:
                L.append(f'            case let .{case}(m): m.{p}')
            L.append('            default: nil')
            L.append('            }')
            L.append('        }')
            L.append('        set {')
            L.append('            switch self {')
            for case in owners:
                L.append(f'            case var .{case}(m):')
                L.append(f'                m.{p} = newValue')
                L.append(f'                self = .{case}(m)')
            L.append('            default: break')
            L.append('            }')
            L.append('        }')
            L.append('    }')
        for key, (t, rname, sprop, owners) in record_types.items():
            if key in record_conflicts:
                continue
            L.append('')
            L.append(f'    /// The `{rname}` TLV record (`nil`: absent, or the source gives no TLV records).')
            L.append(f'    public var {key}: {t}? {{')
            L.append('        get {')
            L.append('            switch self {')
            for case in owners:
                L.append(f'            case let .{case}(m): m.tlvs?.{sprop}')
            L.append('            default: nil')
            L.append('            }')
            L.append('        }')
            L.append('        set {')
            L.append('            switch self {')
            value = 'newValue ?? false' if t == 'Bool' else 'newValue'
            for case in owners:
                L.append(f'            case var .{case}(m):')
                L.append(f'                if m.tlvs == nil, newValue == nil {{ return }}')
                L.append(f'                m.tlvs = m.tlvs ?? .init()')
                L.append(f'                m.tlvs?.{sprop} = {value}')
                L.append(f'                self = .{case}(m)')
            L.append('            default: break')
            L.append('            }')
            L.append('        }')
            L.append('    }')
        L += ['',
              '    /// The spec name of a field property (`\\.amountMsat` → `amount_msat`), for reasons.',
              '    public static func fieldName(_ keyPath: PartialKeyPath<TypedMessage>) -> String? {',
              '        switch keyPath {']
        for key, (t, spec, owners) in field_types.items():
            if key in conflicts or key in case_names or key == 'kind':
                continue
            L.append(f'        case \\TypedMessage.{key}: "{spec}"')
        L += ['        default: nil', '        }', '    }', '}', '']
        if conflicts:
            L += ['// Field names with different types in different messages (read through the',
                  '// message\'s `Partial`): ' + ', '.join(sorted(conflicts)) + '.', '']
        L += structs
        return '\n'.join(L).rstrip() + '\n'

    def generate_tests(self):
        out = [HEADER, '@testable import Wire', '']
        for sname in sorted(TEST_STREAMS):
            if sname in self.schema.streams:
                out += self.stream_struct(sname, self.schema.streams[sname]) + ['']
        for _, (_, code) in self.record_structs.items():
            out += code + ['']
        return '\n'.join(out).rstrip() + '\n'


def bare_snake(p):
    n = bare(p)
    out = ''
    for c in n:
        out += ('_' + c.lower()) if c.isupper() else c
    return out


HEADER = '''// Generated by Scripts/wiregen.py from Sources/Wire/Schema/wire.csv. Do not edit.
// The schema is extracted from the BOLTs (lightning/bolts, CC BY 4.0).
// swift-format-ignore-file'''


def main():
    # --out DIR: write under DIR instead of the repository (the freshness test).
    root = ROOT
    if len(sys.argv) == 3 and sys.argv[1] == '--out':
        root = Path(sys.argv[2]).resolve()
    elif len(sys.argv) != 1:
        sys.exit('usage: Scripts/wiregen.py [--out DIR]')
    out = root / OUT.relative_to(ROOT)
    test_out = root / TEST_OUT.relative_to(ROOT)
    schema = Schema(SCHEMA)
    gen = Gen(schema)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(gen.generate())
    (root / TYPED_OUT.relative_to(ROOT)).write_text(gen.generate_typed())  # after generate(): it knows the record structs
    test_gen = Gen(Schema(SCHEMA))
    test_out.parent.mkdir(parents=True, exist_ok=True)
    test_out.write_text(test_gen.generate_tests())
    print(f'wrote {out.relative_to(root)} and {test_out.relative_to(root)}')


if __name__ == '__main__':
    main()

/**
 * An incremental HTML tag and attribute scanner over response bytes. It
 * keeps no copy of the document: tag and attribute names are matched as they
 * stream by, and only the values of attributes some rule asks for are
 * collected. Comments, declarations and the raw text of `<script>` and
 * `<style>` elements (which may contain `<`) are skipped; a self-closing
 * `<script … />` does not open raw text. Names are case-insensitive.
 */

/** An attribute of a tag to report, e.g. `{tag: "img", attr: "src"}` (any case). */
export interface HtmlRule {
  readonly tag: string;
  readonly attr: string;
}

/** Receives what the scanner finds. */
export interface HtmlSink {
  /** The complete value of an attribute `rules[rule]` asked for; `buf[0, len)` is valid during the call. */
  attribute(rule: number, buf: Uint8Array, len: number): void;
  /** The end of a start tag whose name matched some rule (after all its attributes). */
  tagEnd?(): void;
}

const TEXT = 0;
const LT = 1;
const BANG = 2;
const BANG_DASH = 3;
const COMMENT = 4;
const DECL = 5;
const END_TAG_START = 6;
const TAG_NAME = 7;
const BEFORE_ATTR = 8;
const ATTR_NAME = 9;
const AFTER_ATTR_NAME = 10;
const BEFORE_VALUE = 11;
const VALUE_DQ = 12;
const VALUE_SQ = 13;
const VALUE_UNQ = 14;
const RAW = 15;

/** Longest tag or attribute name compared; longer names never match. */
const NAME_MAX = 32;
/** Longest value collected (a `data:` URI may be huge); longer values are dropped. */
const VALUE_MAX = 64 * 1024;

const encoder = new TextEncoder();
const SCRIPT = encoder.encode("script");
const STYLE = encoder.encode("style");

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x0c;
}

function isLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

function equals(buf: Uint8Array, len: number, name: Uint8Array): boolean {
  if (len !== name.length) return false;
  for (let i = 0; i < len; i++) if (buf[i] !== name[i]) return false;
  return true;
}

export class HtmlScanner {
  private readonly tags: Uint8Array[];
  private readonly attrs: Uint8Array[];
  /** Rules whose tag matched the current start tag. */
  private readonly tagHit: Uint8Array;
  /** Rules whose attribute matched the current attribute. */
  private readonly attrHit: Uint8Array;
  private anyTag = false;
  private anyAttr = false;
  private state = TEXT;
  private closing = false;
  private selfClosing = false;
  private readonly name = new Uint8Array(NAME_MAX);
  private nameLen = 0;
  private readonly attr = new Uint8Array(NAME_MAX);
  private attrLen = 0;
  private value = new Uint8Array(256);
  private valueLen = 0;
  private dashes = 0;
  /** The element whose raw text is being skipped, and how much of `</name` matched. */
  private raw: Uint8Array = SCRIPT;
  private rawMatched = 0;

  constructor(rules: readonly HtmlRule[]) {
    this.tags = rules.map((r) => encoder.encode(r.tag.toLowerCase()));
    this.attrs = rules.map((r) => encoder.encode(r.attr.toLowerCase()));
    this.tagHit = new Uint8Array(rules.length);
    this.attrHit = new Uint8Array(rules.length);
  }

  /** Forgets a partly scanned document (a new response starts). */
  reset(): void {
    this.state = TEXT;
    this.closing =
      this.selfClosing =
      this.anyTag =
      this.anyAttr =
        false;
    this.nameLen =
      this.attrLen =
      this.valueLen =
      this.dashes =
      this.rawMatched =
        0;
    this.tagHit.fill(0);
    this.attrHit.fill(0);
  }

  /** Scans `data[start, end)`, the next piece of the document. */
  feed(data: Uint8Array, start: number, end: number, sink: HtmlSink): void {
    let state = this.state;
    for (let i = start; i < end; i++) {
      const c = data[i];
      switch (state) {
        case TEXT:
          if (c === 0x3c) state = LT;
          break;
        case LT:
          if (isLetter(c)) {
            this.closing = this.selfClosing = false;
            this.nameLen = 0;
            this.pushName(c);
            state = TAG_NAME;
          } else if (c === 0x2f) state = END_TAG_START;
          else if (c === 0x21) state = BANG;
          else if (c === 0x3f) state = DECL;
          else if (c !== 0x3c) state = TEXT; // `a < b` in text
          break;
        case END_TAG_START:
          if (isLetter(c)) {
            this.closing = true;
            this.selfClosing = false;
            this.nameLen = 0;
            this.pushName(c);
            state = TAG_NAME;
          } else state = c === 0x3e ? TEXT : DECL;
          break;
        case BANG:
          state = c === 0x2d ? BANG_DASH : c === 0x3e ? TEXT : DECL;
          break;
        case BANG_DASH:
          if (c === 0x2d) {
            this.dashes = 0;
            state = COMMENT;
          } else state = c === 0x3e ? TEXT : DECL;
          break;
        case COMMENT:
          if (c === 0x2d) this.dashes++;
          else if (c === 0x3e && this.dashes >= 2) state = TEXT;
          else this.dashes = 0;
          break;
        case DECL:
          if (c === 0x3e) state = TEXT;
          break;
        case TAG_NAME:
          if (isSpace(c)) {
            this.tagNameDone();
            state = BEFORE_ATTR;
          } else if (c === 0x2f) {
            this.tagNameDone();
            this.selfClosing = true;
            state = BEFORE_ATTR;
          } else if (c === 0x3e) {
            this.tagNameDone();
            state = this.tagEnd(sink);
          } else this.pushName(c);
          break;
        case BEFORE_ATTR:
          if (c === 0x3e) state = this.tagEnd(sink);
          else if (c === 0x2f) this.selfClosing = true;
          else if (!isSpace(c)) {
            this.startAttr(c);
            state = ATTR_NAME;
          }
          break;
        case ATTR_NAME:
          if (c === 0x3d) {
            this.attrNameDone();
            state = BEFORE_VALUE;
          } else if (isSpace(c)) {
            this.attrNameDone();
            state = AFTER_ATTR_NAME;
          } else if (c === 0x2f) {
            this.anyAttr = false;
            this.selfClosing = true;
            state = BEFORE_ATTR;
          } else if (c === 0x3e) {
            this.anyAttr = false;
            state = this.tagEnd(sink);
          } else if (this.attrLen < NAME_MAX) this.attr[this.attrLen++] = lower(c);
          else this.attrLen = NAME_MAX + 1;
          break;
        case AFTER_ATTR_NAME:
          if (c === 0x3d) state = BEFORE_VALUE;
          else if (c === 0x3e) {
            this.anyAttr = false;
            state = this.tagEnd(sink);
          } else if (c === 0x2f) {
            this.anyAttr = false;
            this.selfClosing = true;
            state = BEFORE_ATTR;
          } else if (!isSpace(c)) {
            this.startAttr(c); // the previous attribute had no value
            state = ATTR_NAME;
          }
          break;
        case BEFORE_VALUE:
          this.valueLen = 0;
          if (c === 0x22) state = VALUE_DQ;
          else if (c === 0x27) state = VALUE_SQ;
          else if (c === 0x3e) {
            this.anyAttr = false;
            state = this.tagEnd(sink);
          } else if (!isSpace(c)) {
            this.pushValue(c);
            state = VALUE_UNQ;
          }
          break;
        case VALUE_DQ:
        case VALUE_SQ:
          if (c === (state === VALUE_DQ ? 0x22 : 0x27)) {
            this.valueDone(sink);
            state = BEFORE_ATTR;
          } else if (this.anyAttr) this.pushValue(c);
          break;
        case VALUE_UNQ:
          if (isSpace(c)) {
            this.valueDone(sink);
            state = BEFORE_ATTR;
          } else if (c === 0x3e) {
            this.valueDone(sink);
            state = this.tagEnd(sink);
          } else if (this.anyAttr) this.pushValue(c);
          break;
        case RAW:
          state = this.rawText(c);
          break;
      }
    }
    this.state = state;
  }

  private pushName(c: number): void {
    if (this.nameLen < NAME_MAX) this.name[this.nameLen++] = lower(c);
    else this.nameLen = NAME_MAX + 1;
  }

  private tagNameDone(): void {
    this.anyTag = false;
    if (this.closing) return;
    for (let r = 0; r < this.tags.length; r++) {
      const hit = equals(this.name, this.nameLen, this.tags[r]);
      this.tagHit[r] = hit ? 1 : 0;
      if (hit) this.anyTag = true;
    }
  }

  private startAttr(c: number): void {
    this.selfClosing = false;
    this.anyAttr = false;
    this.attrLen = 1;
    this.attr[0] = lower(c);
  }

  private attrNameDone(): void {
    this.anyAttr = false;
    if (!this.anyTag) return;
    for (let r = 0; r < this.attrs.length; r++) {
      const hit = this.tagHit[r] === 1 && equals(this.attr, this.attrLen, this.attrs[r]);
      this.attrHit[r] = hit ? 1 : 0;
      if (hit) this.anyAttr = true;
    }
  }

  private pushValue(c: number): void {
    if (this.valueLen === this.value.length) {
      if (this.valueLen >= VALUE_MAX) {
        this.valueLen = VALUE_MAX + 1;
        return;
      }
      const grown = new Uint8Array(this.value.length * 2);
      grown.set(this.value);
      this.value = grown;
    }
    if (this.valueLen <= VALUE_MAX) this.value[this.valueLen++] = c;
  }

  private valueDone(sink: HtmlSink): void {
    if (this.anyAttr && this.valueLen <= VALUE_MAX) {
      for (let r = 0; r < this.attrHit.length; r++) {
        if (this.attrHit[r] === 1) sink.attribute(r, this.value, this.valueLen);
      }
    }
    this.anyAttr = false;
    this.valueLen = 0;
  }

  /** `>` of a tag: the state to continue in. */
  private tagEnd(sink: HtmlSink): number {
    if (this.anyTag) {
      this.anyTag = false;
      sink.tagEnd?.();
    }
    if (!this.closing && !this.selfClosing) {
      const raw = equals(this.name, this.nameLen, SCRIPT)
        ? SCRIPT
        : equals(this.name, this.nameLen, STYLE)
        ? STYLE
        : undefined;
      if (raw !== undefined) {
        this.raw = raw;
        this.rawMatched = 0;
        return RAW;
      }
    }
    return TEXT;
  }

  /** Raw text: only `</script` (or `</style`) followed by a delimiter ends it. */
  private rawText(c: number): number {
    const k = this.rawMatched;
    const raw = this.raw;
    if (k === raw.length + 2) {
      this.rawMatched = 0;
      if (c === 0x3e) return TEXT;
      if (isSpace(c) || c === 0x2f) return DECL; // `</script >`: skip to `>`
    } else if (k === 0 ? c === 0x3c : k === 1 ? c === 0x2f : lower(c) === raw[k - 2]) {
      this.rawMatched = k + 1;
      return RAW;
    }
    this.rawMatched = c === 0x3c ? 1 : 0;
    return RAW;
  }
}

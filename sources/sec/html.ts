/**
 * Filing HTML as plain text, for keyword and heading detection. EDGAR documents are HTML
 * (often inline XBRL) with non-breaking spaces written as `&nbsp;`, `&#160;` or the raw
 * character, and headings split across tags; detection wants one line of words.
 */

const NAMED: Record<string, string> = {
  nbsp: " ",
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  rsquo: "'",
  lsquo: "'",
  rdquo: '"',
  ldquo: '"',
  mdash: "-",
  ndash: "-",
  minus: "-",
  bull: "*",
  middot: "*",
  hellip: "...",
  sect: "§",
  copy: "©",
  reg: "®",
  trade: "™",
};

/** Decodes numeric references and the named entities filings use; others stay as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === "#") {
      const hex = body[1] === "x" || body[1] === "X";
      const code = Number.parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff) return " ";
      return code === 0xa0 ? " " : String.fromCodePoint(code);
    }
    return NAMED[body.toLowerCase()] ?? whole;
  });
}

/**
 * The readable text of an HTML document on one line: scripts, styles, comments and the
 * hidden inline-XBRL header dropped, every tag turned into a space (so `<b>Item</b>7.`
 * stays two words), entities decoded, non-breaking spaces made plain, whitespace collapsed.
 */
export function htmlToText(html: string): string {
  const withoutHidden = html
    .replace(/<!--[\s\S]*?-->/g, " ")
    .replace(/<(script|style|ix:header)\b[\s\S]*?<\/\1\s*>/gi, " ");
  return decodeEntities(withoutHidden.replace(/<[^>]*>/g, " "))
    .replace(/[\u00a0\u2007\u202f]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

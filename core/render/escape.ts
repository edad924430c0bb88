// Escaping for every place a symbol name lands: XML text and attributes, and JSON inside <script>.

// Characters XML 1.0 forbids even when escaped; a hostile binary's symbol could carry them.
/* eslint-disable no-control-regex -- these are exactly the characters to replace */
const XML_INVALID =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/* eslint-enable no-control-regex */
const XML_SPECIAL = /[&<>"']/g;
const XML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Safe in XML/HTML text and in single- or double-quoted attributes. */
export function escapeXml(text: string): string {
  return text.replace(XML_INVALID, '\ufffd').replace(XML_SPECIAL, (c) => XML_ENTITIES[c] ?? c);
}

// In a <script> element `</script` or `<!--` ends or changes the element, in CDATA `]]>` ends the
// section; U+2028/9 break old parsers; U+FFFE/F are not XML characters even in CDATA. (JSON.stringify
// already escapes control characters and lone surrogates.)
const SCRIPT_UNSAFE = /[<>&\u2028\u2029\ufffe\uffff]/g;

/**
 * JSON that can sit inside an HTML <script> element or an XML CDATA section: no `<`, `>` or `&`
 * appear literally, nor anything XML cannot carry.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    SCRIPT_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

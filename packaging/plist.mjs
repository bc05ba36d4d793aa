// A small XML property-list writer (strings, booleans, integers, arrays, dictionaries): enough
// for Info.plist and LaunchAgent plists, so the macOS bundle is built without Apple's tools.

const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function value(v, indent) {
  const pad = '  '.repeat(indent);
  if (typeof v === 'string') return `${pad}<string>${escape(v)}</string>`;
  if (typeof v === 'boolean') return `${pad}<${v}/>`;
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`plist: only integers are supported, got ${v}`);
    return `${pad}<integer>${v}</integer>`;
  }
  if (Array.isArray(v))
    return [`${pad}<array>`, ...v.map((item) => value(item, indent + 1)), `${pad}</array>`].join('\n');
  if (v && typeof v === 'object') {
    const lines = [`${pad}<dict>`];
    for (const [key, item] of Object.entries(v)) {
      lines.push(`${pad}  <key>${escape(key)}</key>`, value(item, indent + 1));
    }
    lines.push(`${pad}</dict>`);
    return lines.join('\n');
  }
  throw new Error(`plist: unsupported value ${String(v)}`);
}

/** The XML plist document of `root` (a dictionary). */
export function toPlist(root) {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    value(root, 0),
    '</plist>',
    '',
  ].join('\n');
}

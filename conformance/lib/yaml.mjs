// Minimal YAML emitter for the server config (block style; strings are
// double-quoted with JSON escaping, which is valid YAML).
function scalar(v) {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  return JSON.stringify(String(v));
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function emit(value, indent, out) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isPlainObject(item) && Object.keys(item).length > 0) {
        const lines = [];
        emit(item, indent + 2, lines);
        lines[0] = `${pad}- ${lines[0].slice(indent + 2)}`;
        out.push(...lines);
      } else if (Array.isArray(item) && item.length > 0) {
        out.push(`${pad}-`);
        emit(item, indent + 2, out);
      } else {
        out.push(`${pad}- ${inline(item)}`);
      }
    }
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if ((isPlainObject(v) && Object.keys(v).length > 0) || (Array.isArray(v) && v.length > 0)) {
      out.push(`${pad}${k}:`);
      emit(v, indent + 2, out);
    } else {
      out.push(`${pad}${k}: ${inline(v)}`);
    }
  }
}

function inline(v) {
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${v.map(inline).join(', ')}]`;
  if (isPlainObject(v)) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    return entries.length === 0 ? '{}' : `{ ${entries.map(([k, x]) => `${k}: ${inline(x)}`).join(', ')} }`;
  }
  return scalar(v);
}

export function toYaml(obj) {
  const out = [];
  emit(obj, 0, out);
  return out.join('\n') + '\n';
}

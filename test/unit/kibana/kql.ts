/**
 * A translator for the simple KQL our saved objects use — `field : value`, `field : "phrase"`,
 * `field >= value` (>, >=, <, <=), `and`, `or`, `not`, parentheses — into an Elasticsearch query, the
 * way Kibana does for these forms: keyword/numeric/date/boolean fields -> term (or range), text fields
 * -> match_phrase, `field : *` -> exists. Test-only: Kibana cannot run here, so the saved searches'
 * queries are checked by running this translation against the real Elasticsearch.
 */
export type FieldType = string;

type Tok = { t: 'word' | 'str' | 'op' | 'lp' | 'rp'; v: string };

function tokenize(q: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(') {
      out.push({ t: 'lp', v: c });
      i++;
    } else if (c === ')') {
      out.push({ t: 'rp', v: c });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < q.length && q[j] !== '"') {
        if (q[j] === '\\') j++;
        s += q[j];
        j++;
      }
      if (j >= q.length) throw new Error(`unterminated string in ${q}`);
      out.push({ t: 'str', v: s });
      i = j + 1;
    } else if (/[:<>]/.test(c)) {
      const op = q.slice(i, i + 2) === '>=' || q.slice(i, i + 2) === '<=' ? q.slice(i, i + 2) : c;
      out.push({ t: 'op', v: op });
      i += op.length;
    } else {
      let j = i;
      while (j < q.length && !/[\s():<>"]/.test(q[j]!)) j++;
      out.push({ t: 'word', v: q.slice(i, j) });
      i = j;
    }
  }
  return out;
}

export function kqlToQuery(kql: string, types: Record<string, FieldType>): Record<string, unknown> {
  const toks = tokenize(kql);
  let p = 0;
  const peek = () => toks[p];
  const next = () => {
    const t = toks[p++];
    if (!t) throw new Error(`unexpected end of ${kql}`);
    return t;
  };
  const kw = (v: string) => peek()?.t === 'word' && peek()!.v.toLowerCase() === v;

  function orExpr(): Record<string, unknown> {
    const parts = [andExpr()];
    while (kw('or')) {
      p++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0]! : { bool: { should: parts, minimum_should_match: 1 } };
  }
  function andExpr(): Record<string, unknown> {
    const parts = [notExpr()];
    while (kw('and')) {
      p++;
      parts.push(notExpr());
    }
    return parts.length === 1 ? parts[0]! : { bool: { filter: parts } };
  }
  function notExpr(): Record<string, unknown> {
    if (kw('not')) {
      p++;
      return { bool: { must_not: [notExpr()] } };
    }
    return atom();
  }
  function atom(): Record<string, unknown> {
    const t = next();
    if (t.t === 'lp') {
      const e = orExpr();
      if (next().t !== 'rp') throw new Error(`missing ) in ${kql}`);
      return e;
    }
    if (t.t !== 'word') throw new Error(`expected a field in ${kql}, got ${t.v}`);
    const field = t.v;
    const type = types[field];
    if (!type) throw new Error(`unknown field ${field} in ${kql}`);
    const op = next();
    if (op.t !== 'op') throw new Error(`expected an operator after ${field} in ${kql}`);
    const val = next();
    if (val.t !== 'word' && val.t !== 'str') throw new Error(`expected a value after ${field} ${op.v}`);
    if (op.v === ':') {
      if (val.t === 'word' && val.v === '*') return { exists: { field } };
      if (type === 'text') return { match_phrase: { [field]: val.v } };
      return { term: { [field]: val.v } };
    }
    const rel = { '>': 'gt', '>=': 'gte', '<': 'lt', '<=': 'lte' }[op.v];
    if (!rel) throw new Error(`bad operator ${op.v}`);
    return { range: { [field]: { [rel]: val.v } } };
  }
  const q = orExpr();
  if (p !== toks.length) throw new Error(`trailing input in ${kql}`);
  return q;
}

/** Every field a KQL expression names. */
export function kqlFields(kql: string): string[] {
  const toks = tokenize(kql);
  const out: string[] = [];
  for (let i = 0; i + 1 < toks.length; i++)
    if (toks[i]!.t === 'word' && toks[i + 1]!.t === 'op') out.push(toks[i]!.v);
  return out;
}

/** Field path -> mapping type, from an index template's mappings (multi-fields included). */
export function mappingFieldTypes(mappings: {
  properties?: Record<string, unknown>;
}): Record<string, FieldType> {
  const out: Record<string, FieldType> = {};
  const walk = (props: Record<string, unknown>, prefix: string) => {
    for (const [name, def] of Object.entries(props)) {
      const d = def as {
        type?: string;
        properties?: Record<string, unknown>;
        fields?: Record<string, { type: string }>;
      };
      const path = prefix ? `${prefix}.${name}` : name;
      if (d.type && d.type !== 'object') out[path] = d.type;
      if (d.properties) walk(d.properties, path);
      for (const [sub, sd] of Object.entries(d.fields ?? {})) out[`${path}.${sub}`] = sd.type;
    }
  };
  walk(mappings.properties ?? {}, '');
  return out;
}

/** YAML that YAML 1.1 readers (PyYAML, hence Ansible; older Go libraries)
 * read as we meant it. `yaml` writes YAML 1.2, where `=`, `on`, `yes`, `0755`
 * or `1:30` are plain strings; a 1.1 reader takes them for the value key, a
 * boolean, an octal or a sexagesimal number (PyYAML fails outright on `=`).
 * Such strings are double-quoted; everything else is written as usual. Pure. */
import { Document, isScalar, visit } from 'yaml';

/** Plain scalars a YAML 1.1 reader resolves to something other than a string. */
const YAML11_NOT_STRING = [
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:~|null|Null|NULL|=|<<)$/,
  /^[-+]?(?:0b[01_]+|0[0-7_]+|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^[-+]?(?:[0-9][0-9_]*)?\.[0-9._]*(?:[eE][-+][0-9]+)?$/,
  /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
  /^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$/,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/,
];

export function yaml11Ambiguous(s: string): boolean {
  return YAML11_NOT_STRING.some((r) => r.test(s));
}

/** One YAML document, readable alike by YAML 1.2 and YAML 1.1 readers. */
export function stringifyYaml11(value: unknown): string {
  const doc = new Document(value, { aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (isScalar(node) && typeof node.value === 'string' && yaml11Ambiguous(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0 });
}

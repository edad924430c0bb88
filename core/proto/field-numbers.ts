// Field numbers read from a generated schema, for writers that encode a message field by field with the
// library's BinaryWriter instead of building it (core/pprof/, core/otlp/): the numbers then come from the
// official .proto files through the generated code, never typed in by hand. Pure.
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';

type FieldName<Desc extends DescMessage> = Exclude<keyof MessageShape<Desc>, '$typeName' | '$unknown'> &
  string;

/** The numbers of the named fields of a message; a name the schema lacks throws (when the module loads). */
export function fieldNumbers<Desc extends DescMessage, const K extends FieldName<Desc>>(
  schema: Desc,
  names: readonly K[],
): Readonly<Record<K, number>> {
  const numbers = {} as Record<K, number>;
  for (const name of names) {
    const field = schema.field[name];
    if (field === undefined) throw new Error(`${schema.typeName} has no field ${name}`);
    numbers[name] = field.number;
  }
  return numbers;
}

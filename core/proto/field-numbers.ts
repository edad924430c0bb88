// Field numbers read from a generated schema, for writers that encode a message field by field with the
// library's BinaryWriter instead of building it (core/pprof/, core/otlp/): the numbers then come from the
// official .proto files through the generated code, never typed in by hand. Pure.
import type { DescMessage, MessageShape } from '@bufbuild/protobuf';

/** The members of a message's oneofs: `stringValue` of AnyValue's `value`. */
type OneofMember<Shape> = {
  [K in keyof Shape]: Shape[K] extends { case: infer C } ? C : never;
}[keyof Shape];

type FieldName<Desc extends DescMessage> =
  | (Exclude<keyof MessageShape<Desc>, '$typeName' | '$unknown'> & string)
  | (OneofMember<MessageShape<Desc>> & string);

/**
 * The numbers of the named fields of a message, oneof members included; a name the schema lacks (a oneof's own
 * name is none) throws when the module loads.
 */
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

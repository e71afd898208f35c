/**
 * The benchmark's window on the serializers (bench/floor.ts). While `record` is
 * set, `toYaml`, `toJson` and the HCL `printFile` report each value they were
 * given and the text they returned, so the serialization floor can be timed on
 * exactly the values a compile serialized. Outside the benchmark it is never set:
 * one property check per call, and the output is the same either way.
 */
export type SerializerName = 'yaml' | 'json' | 'hcl';

export const serializerProbe: { record?: (serializer: SerializerName, value: unknown, text: string) => void } = {};

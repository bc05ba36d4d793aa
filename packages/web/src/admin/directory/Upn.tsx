/**
 * @module admin/directory/Upn
 * A sign-in name that wraps, when it must, before the @ rather than in the middle of the
 * domain; kept left-to-right inside right-to-left text.
 */

/** See the module description. */
export function Upn({ value }: { value: string }) {
  const at = value.lastIndexOf('@');
  if (at <= 0) return <bdi>{value}</bdi>;
  return (
    <bdi>
      {value.slice(0, at)}
      <wbr />
      {value.slice(at)}
    </bdi>
  );
}

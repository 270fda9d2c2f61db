/**
 * One page of a keyset-paginated list, from rows fetched with `LIMIT limit + 1`: the extra row
 * only says whether an older page exists, and the last item's id is the cursor for it.
 */
export const keysetPage = <Row, Item extends { readonly id: unknown }>(
  rows: ReadonlyArray<Row>,
  limit: number,
  toItem: (row: Row) => Item
): { readonly items: Array<Item>; readonly nextBefore: Item["id"] | null } => {
  const items = rows.slice(0, limit).map(toItem)
  return { items, nextBefore: rows.length > limit ? items[items.length - 1]!.id : null }
}

/**
 * Each record of a `-z` listing of git whose records read `<fields>\t<path>`
 * (`ls-tree`, `ls-files -s`), as offsets into the listing: where the record
 * starts, its tab and its end. Read in place, not split into lines and fields:
 * the listing of 100,000 files is tens of megabytes.
 */
export function forEachListed(listing: string, visit: (at: number, tab: number, end: number) => void): void {
  for (let at = 0, end = 0; at < listing.length; at = end + 1) {
    end = listing.indexOf('\0', at);
    if (end < 0) end = listing.length;
    const tab = listing.indexOf('\t', at);
    if (tab >= 0 && tab < end) visit(at, tab, end);
  }
}

#!/usr/bin/env bash
# A network's decade in one store: 100 million rows, then `analyse --store` on it.
#
#     benchmarks/store_decade.sh [DIR]      (default $TMPDIR/anchorspend-bench/decade)
#
# Takes the 10M-row export of generate.py (made if missing) and nine copies with every payment
# date shifted by one to nine years (40 financial-year quarters of 20 organisations), adds each
# to one store (a copy is deleted once added: ~1.4 GB of scratch at a time, plus the 2.1 GB
# store), then analyses the store with the 50,000-entry lookup. Prints each add's time and
# peak RSS, the analysis's, and the reconciled rows and pounds. About 15 minutes here.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
DIR=${1:-${TMPDIR:-/tmp}/anchorspend-bench/decade}
DATA=$(dirname "$DIR")/analyse-v1
SRC=$DATA/spend-10000000.csv
mkdir -p "$DIR"
[ -f "$SRC" ] || $BIN/python benchmarks/generate.py --rows 10000000 --out "$DATA"
STORE=$DIR/store
rm -rf "$STORE"
for k in 0 1 2 3 4 5 6 7 8 9; do
  F=$SRC
  if [ "$k" != 0 ]; then
    F=$DIR/spend-plus-$k-years.csv
    $BIN/python - "$k" "$SRC" "$F" <<'PY'
import sys

import polars as pl

k, src, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
day = pl.col("Payment Date")  # dd/mm/yyyy
year = (day.str.slice(6, 4).cast(pl.Int32) + k).cast(pl.String)
shifted = pl.concat_str(day.str.slice(0, 6), year).alias("Payment Date")
pl.scan_csv(src, infer_schema=False).with_columns(shifted).sink_csv(out)
PY
  fi
  /usr/bin/time -f "store add (+$k years): %e s, peak %M KB" \
    $BIN/anchorspend store add "$F" --store "$STORE" -q
  [ "$k" = 0 ] || rm -f "$F"
done
du -sh "$STORE"
/usr/bin/time -f "analyse --store, 100M rows: %e s, peak %M KB" \
  $BIN/anchorspend analyse --store "$STORE" --lookup "$DATA/lookup-10000000.csv" --json \
  > "$DIR/metrics.json"
$BIN/python -c "import json,sys; r=json.load(open(sys.argv[1]))['reconciliation']; \
print(f\"rows read {r['rows_read']:,}, analysed {r['rows_analysed']:,}, £{r['amount_analysed']}\")" \
  "$DIR/metrics.json"

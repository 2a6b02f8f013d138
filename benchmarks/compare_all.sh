#!/usr/bin/env bash
# The "Compare" tables of benchmarks/RESULTS.md: `textrnn compare` on every classification set
# in ../shared/data (train / val / test as shipped; scores on test).
#
#   benchmarks/compare_all.sh [--with-rnn] [DATA_DIR] [OUT_DIR]
#
# Default: tfidf-lr with word 1-2-grams and with word + char_wb 2-5-grams (sublinear tf, C=4),
# --seeds 1 (deterministic). --with-rnn adds bigru-max (--seeds 1) on the three Russian sets
# (1-3 min each on 2 CPU cores). Reports go to OUT_DIR/<set>/compare.{json,md} (default runs/compare).
set -euo pipefail
WITH_RNN=0
if [[ "${1:-}" == "--with-rnn" ]]; then WITH_RNN=1; shift; fi
HERE="$(cd "$(dirname "$0")" && pwd)"
DATA="${1:-$HERE/../../shared/data}"
OUT="${2:-$HERE/../runs/compare}"
TEXTRNN="${TEXTRNN:-textrnn}"

RU="tfidf-lr,tfidf-lr:analyzer=word+char"
EN="tfidf-lr:lang=en,tfidf-lr:analyzer=word+char,lang=en"
[[ $WITH_RNN == 1 ]] && RU="$RU,bigru-max"

for name in rutweetcorp_sample sentirueval2015_banks sentirueval2015_telecom en_mr_rt_polarity en_sst2; do
  models="$RU"; [[ $name == en_* ]] && models="$EN"
  echo "== $name: $models" >&2
  "$TEXTRNN" compare "$DATA/$name/train.csv" --val "$DATA/$name/val.csv" --test "$DATA/$name/test.csv" \
    --models "$models" --seeds 1 --out "$OUT/$name" --force
done

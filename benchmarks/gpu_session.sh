#!/usr/bin/env bash
# One prepared run on a GPU machine (measured on an NVIDIA H200), about 9 minutes:
#   1. the CUDA tests (tests/unit/test_devices.py and the model / char-LM tests) on the GPU;
#   2. benchmarks/throughput.py --device cuda (alone on the GPU, on CPU cores 0-3);
#   3. two char-LM configurations on tinyshakespeare, trained on the GPU side by side;
#   meanwhile, from the start: a CPU sweep of recurrent classifiers on rutweetcorp_sample
#   (`textrnn compare`, 1 thread each, CPU cores 4-15; the GPU is not used by it).
#
# Usage, from the repository root, on a machine whose python3 has torch:
#   bash benchmarks/gpu_session.sh DATA_DIR NAVEC_TAR OUT_DIR [SWEEP_SECONDS]
# DATA_DIR holds rutweetcorp_sample/ and tinyshakespeare/ (as in ../shared/data).
# Results in OUT_DIR: tests.log, throughput.jsonl, throughput.log, lm.log, lm_*.json, sweep.md, env.txt.
set -u
DATA=$1
NAVEC=$2
OUT=$3
SWEEP_SECONDS=${4:-450}
LM_BUDGET=${LM_BUDGET:-160}
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}" TEXTRNN_CACHE_DIR=/tmp/textrnn-cache
mkdir -p "$OUT" /tmp/sweep
T0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - T0 )) s] $*" >> "$OUT/env.txt"; }
pin() { if command -v taskset >/dev/null; then taskset -c "$@"; else shift; "$@"; fi; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv; nproc; uname -r;
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())'; } >> "$OUT/env.txt" 2>&1

# --- CPU sweep (background): each worker runs its specs one after another, 3 seeds each
TW="$DATA/rutweetcorp_sample"
B="embeddings=$NAVEC,lemmatize=1,subwords=20000,emb_dropout=0.3"
SPECS=(
  "bigru-max:$B"
  "bigru-max:embeddings=$NAVEC,lemmatize=0,subwords=20000,emb_dropout=0.3"
  "bigru-max:$B,layers=2"
  "bigru-max:$B,lr=0.001,epochs=15,patience=4"
  "bigru-max:$B,batch=32"
  "bigru-max:$B,dropout=0.3"
  "bigru-max:$B,weight_decay=0.01"
  "bilstm-max:$B"
  "bigru-attn:$B"
  "bigru-mean:$B"
  "bigru-max:$B,freeze=1"
  "bigru-max:$B,emb_dropout=0.5,dropout=0.3"
  "bigru-max:$B,subwords=100000"
  "bigru-max:$B,hidden=64"
  "bigru-max:$B,min_freq=2"
  "bigru-max:embeddings=$NAVEC,lemmatize=0,subwords=20000,emb_dropout=0.3,dropout=0.3,batch=32"
  "bigru-max:$B,negation=1"
  "bilstm-max:$B,dropout=0.3"
  "bigru-max:$B,maxlen=40"
  "bigru-max:$B,lr=0.003"
  "bigru-max:$B,layers=2,dropout=0.3"
  "bigru-attn:$B,dropout=0.3"
  "bigru-max:$B,emb=300,hidden=192"
  "bigru-max:embeddings=$NAVEC,lemmatize=1,subwords=50000,emb_dropout=0.4,dropout=0.2"
)
WORKERS=12
for w in $(seq 0 $((WORKERS - 1))); do
  (
    for ((i = w; i < ${#SPECS[@]}; i += WORKERS)); do
      LEFT=$((SWEEP_SECONDS - ($(date +%s) - T0)))
      [ "$LEFT" -lt 60 ] && { echo "spec $i: not started (${LEFT} s left) ${SPECS[$i]}" >> /tmp/sweep/failed.txt; continue; }
      OMP_NUM_THREADS=1 pin $((4 + w)) timeout "$LEFT" \
        python3 -m textrnn.cli compare "$TW/train.csv" --val "$TW/val.csv" --test "$TW/test.csv" \
        --models "${SPECS[$i]}" --seeds 3 --device cpu --threads 1 --out "/tmp/sweep/s$i" -q \
        > "/tmp/sweep/s$i.log" 2>&1 || echo "spec $i: exit $? ${SPECS[$i]}" >> /tmp/sweep/failed.txt
    done
  ) &
done
stamp "sweep started: ${#SPECS[@]} specs, $WORKERS workers"

# --- 1. CUDA tests
pin 0-3 timeout 150 python3 -m pytest -q -p no:cacheprovider tests/unit/test_devices.py tests/unit/nn/test_classifier_model.py \
  tests/unit/nn/test_encoder.py tests/unit/training/test_train_lm.py -k "not real" > "$OUT/tests.log" 2>&1
stamp "tests exit $?"

# --- 2. throughput, alone on the GPU
pin 0-3 timeout 200 python3 benchmarks/throughput.py --device cuda --json --diagnose --data "$TW" \
  > "$OUT/throughput.jsonl" 2> "$OUT/throughput.log"
stamp "throughput exit $?"

# --- 3. char LMs on the GPU, side by side
SH="$DATA/tinyshakespeare"
lm() {  # name, extra options
  local name=$1; shift
  pin "$CORE" timeout $((LM_BUDGET + 80)) python3 -m textrnn.cli lm train "$SH/train.txt" --val "$SH/val.txt" \
    --out "/tmp/lm_$name" --device cuda --time-budget "$LM_BUDGET" --seq-len 256 --embed-dim 128 "$@" \
    > "/tmp/lm_$name.out" 2> "/tmp/lm_$name.log"
  echo "exit $?" >> "/tmp/lm_$name.log"
}
CORE=0 lm lstm3x512 --model lstm --hidden-size 512 --num-layers 3 --dropout 0.3 --batch-size 128 --lr 2e-3 &
P1=$!
CORE=1 lm lstm2x1024 --model lstm --hidden-size 1024 --num-layers 2 --dropout 0.5 --batch-size 128 --lr 2e-3 &
P2=$!
wait $P1 $P2
stamp "char LMs done"
for n in lstm3x512 lstm2x1024; do
  { echo "=== $n"; cat "/tmp/lm_$n.log" "/tmp/lm_$n.out"; } >> "$OUT/lm.log"
  cp "/tmp/lm_$n/metrics.json" "$OUT/lm_$n.json" 2>/dev/null
done

# --- collect the sweep (workers stop themselves at SWEEP_SECONDS)
wait
stamp "sweep done"
{ for f in /tmp/sweep/s*/compare.md; do grep -E "^\| (bi|tfidf)" "$f"; done; echo; cat /tmp/sweep/failed.txt 2>/dev/null;
  for f in /tmp/sweep/s*.log; do echo "--- $f"; tail -3 "$f"; done; } > "$OUT/sweep.md" 2>&1
stamp "end"

#!/usr/bin/env bash
# The short GPU check, for a machine with a GPU (about 5 minutes): what the throughput figures still
# need measured on CUDA since the clipping was folded into the fused Adam step and unidirectional
# nets run over the padded batch, and the CUDA tests of those code paths.
#   1. the CUDA tests: tests/unit/test_devices.py (GPU logits = CPU logits for every cell x pooling,
#      so the padded CUDA path of a unidirectional LSTM against the packed CPU one),
#      tests/unit/training/test_optim.py (folded clipping = clip_grad_norm_ + step on CUDA too),
#      tests/unit/nn/test_classifier_model.py and tests/unit/nn/test_encoder.py;
#   2. throughput.py --device cuda --rounds 3 --diagnose (trainer / ceiling, the done-when figure);
#   3. throughput.py --device cuda --clip-ab and --padded-ab (what each change is worth there).
#
# Usage, from the repository root, on a machine whose python3 has torch with CUDA:
#   bash benchmarks/gpu_check.sh DATA_DIR OUT_DIR
# DATA_DIR holds rutweetcorp_sample/ (as in ../shared/data). Results in OUT_DIR: env.txt, tests.log,
# throughput.jsonl, clip_ab.jsonl, padded_ab.jsonl (and a .log of each benchmark's stderr).
set -u
DATA=$1
OUT=$2
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
mkdir -p "$OUT"
T0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - T0 )) s] $*" >> "$OUT/env.txt"; }
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv; nproc; uptime;
  python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())'; } >> "$OUT/env.txt" 2>&1

timeout 120 python3 -m pytest -q -p no:cacheprovider tests/unit/test_devices.py tests/unit/training/test_optim.py \
  tests/unit/nn/test_classifier_model.py tests/unit/nn/test_encoder.py > "$OUT/tests.log" 2>&1
stamp "tests exit $?"

TW="$DATA/rutweetcorp_sample"
timeout 200 python3 benchmarks/throughput.py --device cuda --json --rounds 3 --diagnose --skip-predict --data "$TW" \
  > "$OUT/throughput.jsonl" 2> "$OUT/throughput.log"
stamp "throughput exit $?"
timeout 60 python3 benchmarks/throughput.py --device cuda --json --clip-ab --repeats 5 --data "$TW" \
  > "$OUT/clip_ab.jsonl" 2> "$OUT/clip_ab.log"
stamp "clip-ab exit $?"
timeout 60 python3 benchmarks/throughput.py --device cuda --json --padded-ab --repeats 3 --data "$TW" \
  > "$OUT/padded_ab.jsonl" 2> "$OUT/padded_ab.log"
stamp "padded-ab exit $?"

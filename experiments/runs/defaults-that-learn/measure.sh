#!/bin/bash
# Defaults that learn: the port preset vs the new default, 5 minutes of wall clock each.
cd /work/main
B=.build/release/seqrec
run() { # name preset dataset-args...
  local name=$1 preset=$2; shift 2
  $B train "$@" --preset $preset --config /work/runs/defaults/budget300.json --out /work/runs/defaults/$name --progress-interval 60 > /work/runs/defaults/$name.out 2> /work/runs/defaults/$name.err
}
run m-ml1m-port gsasrec-port --format gsasrec-split ../shared/datasets/ml1m-gsasrec
run m-ml1m-quick gsasrec --format gsasrec-split ../shared/datasets/ml1m-gsasrec
run m-100k-port gsasrec-port /work/runs/defaults/ml100k-like.txt
run m-100k-quick gsasrec /work/runs/defaults/ml100k-like.txt
$B baselines --format gsasrec-split ../shared/datasets/ml1m-gsasrec --epochs 20 > /work/runs/defaults/baselines-ml1m.txt 2>&1
$B baselines /work/runs/defaults/ml100k-like.txt --epochs 20 > /work/runs/defaults/baselines-100k.txt 2>&1

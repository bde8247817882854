#!/bin/bash
# Captures real nvidia-smi output on the lent H200 for straylight's GPU parser fixtures.
Q='index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw'
{
echo "# date: $(date -u +%FT%TZ)"; echo "# uname: $(uname -srm)"
nvidia-smi --version 2>&1
} > $OUT/meta.txt
nvidia-smi --query-gpu=$Q --format=csv,noheader,nounits > $OUT/idle.csv 2>$OUT/idle.err; echo "exit=$?" >> $OUT/meta.txt
nvidia-smi --query-gpu=$Q --format=csv > $OUT/idle_with_header_units.csv 2>&1
nvidia-smi > $OUT/nvidia-smi_default.txt 2>&1
# load: a bf16 matmul loop holding ~40 GiB for ~25 s
python3 - <<'PY' &
import torch, time
x = torch.randn(8192, 8192, device='cuda', dtype=torch.bfloat16)
hold = torch.empty(int(40*2**30), dtype=torch.uint8, device='cuda')
t = time.time()
while time.time() - t < 25:
    y = x @ x
torch.cuda.synchronize()
PY
sleep 12
for i in 1 2 3; do nvidia-smi --query-gpu=$Q --format=csv,noheader,nounits; sleep 1; done > $OUT/busy.csv 2>>$OUT/idle.err
nvidia-smi --query-compute-apps=pid,process_name,used_memory --format=csv,noheader,nounits > $OUT/compute_apps.csv 2>&1
nvidia-smi --query-gpu=index,no.such.field --format=csv,noheader,nounits > $OUT/bad_field.txt 2>&1; echo "bad_field_exit=$?" >> $OUT/meta.txt
wait
cat $OUT/meta.txt $OUT/idle.csv $OUT/busy.csv $OUT/bad_field.txt $OUT/compute_apps.csv

#!/usr/bin/env bash
# Regenerates docs/phantom/*.svg: one phantom record per condition at 100 Hz, with the
# condition's true evidence mask shaded. The record shown is the first of a 600-record cohort
# (seed 0) whose only planted finding is that condition, labelled (likelihood 100 for diagnostic codes) and of
# severity >= 0.5, with baseline wander <= 0.15 mV (a clear textbook case, not a borderline one).   tools/phantom_figures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${SCRATCH:-.build}
swift build -c release --scratch-path "$scratch" --product ecgxai >/dev/null
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)/ecgxai
dir=$(mktemp -d)
"$bin" synth --out "$dir/cohort" --records 600 --seed 0 --rates 100 >/dev/null
for finding in NORM LVH CLBBB CRBBB 1AVB ISC_ IMI ASMI AFIB; do
  if [ "$finding" = NORM ]; then
    id=$(awk -F, 'NR>1 {print $1}' "$dir/cohort/truth/findings.csv" | sort -u > "$dir/with"; \
         awk -F, 'NR>1 {print $1}' "$dir/cohort/truth/records.csv" | grep -vxF -f "$dir/with" | head -1)
    "$bin" plot record "$dir/cohort" "$id" --rate 100 --out "docs/phantom/NORM.svg" >/dev/null
  else
    id=$(awk -F, -v f="$finding" 'FNR==1 {file++; next} file==1 {if ($17 <= 0.15) quiet[$1]=1; next}
         $12==1 {n[$1]++; if ($2==f && $10==1 && ($11==100 || $3=="") && $5>=0.5) hit[$1]=1}
         END {for (i in hit) if (n[i]==1 && quiet[i]) print i}' \
         "$dir/cohort/truth/records.csv" "$dir/cohort/truth/findings.csv" | sort -n | head -1)
    "$bin" plot record "$dir/cohort" "$id" --rate 100 --evidence "$finding" --out "docs/phantom/$finding.svg" >/dev/null
  fi
  echo "$finding: ecg_id $id"
done
# The hidden ASMI variants of an old infarct: septal QS vs poor R-wave progression.
for variant in septal-qs poor-r-progression; do
  id=$(awk -F, -v v="$variant" 'FNR==1 {file++; next} file==1 {if ($17 <= 0.15) quiet[$1]=1; next}
       $12==1 {n[$1]++; if ($2=="ASMI" && $6=="old" && $7==v && $10==1 && $11==100 && $5>=0.5) hit[$1]=1}
       END {for (i in hit) if (n[i]==1 && quiet[i]) print i}' \
       "$dir/cohort/truth/records.csv" "$dir/cohort/truth/findings.csv" | sort -n | head -1)
  "$bin" plot record "$dir/cohort" "$id" --rate 100 --evidence ASMI --out "docs/phantom/ASMI-$variant.svg" >/dev/null
  echo "ASMI $variant (old): ecg_id $id"
done
rm -rf "$dir"

#!/usr/bin/env bash
# Hostile and mistaken inputs (issue 22's list) against the release binary: prints a Markdown table
# of each case, its exit code and the first error line. Every case must exit nonzero with a message
# that names the file and the problem, and nothing the user wrote may disappear.
#   swift build -c release && tools/bad_inputs.sh            (needs python3 with NumPy for fixtures)
B=${B:-$(cd "$(dirname "$0")/.." && pwd)/.build/release/ecgxai}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT; cd "$W"
py() { python3 - "$@"; }
case_() { local name=$1; shift; local out; out=$("$@" 2>&1 >/dev/null); local st=$?
  printf '| %s | %s | %s |\n' "$name" "$st" "$(echo "$out" | grep -m1 "Error"  | cut -c1-230 | sed 's/|/\\|/g')"; }
# fixtures
echo NORM > classes.txt; $B synth --out ds --records 20 --rates 100,500 >/dev/null 2>&1
py <<'P'
import numpy as np, struct, json
np.save('x.npy', (np.random.default_rng(0).standard_normal((16,12,250))*0.1).astype('f4'))
np.save('y.npy', (np.arange(16)%2).reshape(16,1).astype('f4'))
y=np.load('y.npy'); y[3,0]=np.nan; np.save('ynan.npy', y)
def npy(name, shape):
    h="{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % shape
    h=h.ljust(118)+"\n"; open(name,'wb').write(b'\x93NUMPY\x01\x00'+struct.pack('<H',len(h))+h.encode()+b'\0'*64)
npy('neg.npy','(-1, 12, 4)'); npy('ovf.npy','(4611686018427387904, 4, 1)'); npy('tok.npy','(2, 12, abc, 4)')
P
$B train --x x.npy --y y.npy --epochs 1 --batch-size 8 --crop 0 --sampling-rate 100 --classes classes.txt --out model >/dev/null 2>&1
echo "| case | exit | message |"; echo "|---|---|---|"
# data loss
mkdir -p dl/data; echo keep > dl/data/important.txt
case_ "demo --out DIR whose data/ ecgxai did not write" $B demo --quick --out dl
[ -f dl/data/important.txt ] || echo "| !! important.txt deleted | | |"
case_ "train --out /" $B train --x x.npy --y y.npy --out /
printf 'out: /\nsteps: [data]\ndata: {records: 200}\n' > root.yaml; case_ "run with out: /" $B run root.yaml
# WFDB headers
mkdir -p h; printf 'r 1 ( 10\nr.dat 16 200 16 0 0 0 0 I\n' > h/r1.hea; case_ "WFDB sampling frequency '('" $B features --data h/r1.hea --out h/f.csv
printf 'r 1 / 10\nr.dat 16 200 16 0 0 0 0 I\n' > h/r2.hea; case_ "WFDB sampling frequency '/'" $B features --data h/r2.hea --out h/f.csv
printf 'r 2 100 4611686018427387904\nr.dat 16 200 16 0 0 0 0 I\nr.dat 16 200 16 0 0 0 0 II\n' > h/r3.hea; case_ "WFDB sample count overflowing n×frame" $B features --data h/r3.hea --out h/f.csv
printf 'r 1 100 10\nr.dat 16+-8 200 16 0 0 0 0 I\n' > h/r4.hea; head -c 20 /dev/zero > h/r.dat; case_ "WFDB negative byte offset 16+-8" $B features --data h/r4.hea --out h/f.csv
printf 'r 1 100 10\nr.dat 16 100.0)(0/mV 16 0 0 0 0 I\n' > h/r5.hea; case_ "WFDB gain ')' before '(' (fuzz)" $B features --data h/r5.hea --out h/f.csv
# WFDB records that cannot be read as given (issue 24)
printf 'r 1 200 10\nr.d1 516 200/mV 16 0 0 0 0 I\n' > h/r6.hea; printf 'fLaC\0\0\0\42' > h/r.d1; case_ "WFDB FLAC file cut after its marker" $B features --data h/r6.hea --out h/f.csv
printf 'm/2 1 125 20\n~ 10\nm 10\n' > h/m.hea; case_ "WFDB segment that is its own record" $B features --data h/m.hea --out h/f.csv
printf 'r 1 100 10\nr.dat 16 200 16 0 0 0 0 I\n' > h/r7.hea; printf 'n/2 1 100\nr7 10\n~ 999999999999\n' > h/n.hea; head -c 20 /dev/zero > h/r.dat; case_ "WFDB null segment of 10^12 samples" $B features --data h/n.hea --out h/f.csv
printf 'r 1 100 10\nr.dat 16x4611686018427387904 200 16 0 0 0 0 I\n' > h/r8.hea; case_ "WFDB samples per frame overflowing" $B features --data h/r8.hea --out h/f.csv
printf 'r 1 100 10\nr.dat 16 200 16 0 0 -27 0 I\n' > h/r9.hea; case_ "WFDB checksum that does not match" $B features --data h/r9.hea --out h/f.csv
printf 'c 1 250 2\nc.mat 16+192 200/mV 16 0 0 0 0 I\n' > h/c.hea; py <<'P'
open('h/c.mat','wb').write(b'MATLAB 5.0 MAT-file'.ljust(126)+b'IM'+bytes([15,0,0,0,8,0,0,0])+bytes(8))
P
case_ "WFDB compressed MATLAB 7 .mat" $B features --data h/c.hea --out h/f.csv
printf 'r 2 100 10\nr.dat 16 200 16 0 0 0 0 II\nr.dat 16 200 16 0 0 0 0 V5\n' > h/two.hea; head -c 40 /dev/zero > h/r.dat; case_ "2-lead record given to predict" $B predict --model model --data h/two.hea --out p.npy
# .npy
for f in neg ovf tok; do case_ ".npy shape $f" $B predict --model model --input $f.npy --out p.npy; done
# safetensors / architecture
cp -r model m1; py <<'P'
import json,struct
b=open('m1/weights.safetensors','rb').read(); n=struct.unpack('<Q',b[:8])[0]; h=json.loads(b[8:8+n])
k=[k for k in h if k!='__metadata__'][0]; h[k]['data_offsets']=[9223372036854775800, 9223372036854775807]
s=json.dumps(h).encode(); open('m1/weights.safetensors','wb').write(struct.pack('<Q',len(s))+s+b[8+n:])
P
case_ "safetensors data_offsets near Int.max" $B predict --model m1 --input x.npy --out p.npy
for mod in 'a["classes"]=-3' 'a["inputChannels"]=10**12' 'a["classNames"]=["only"]; a["classes"]=2'; do
  rm -rf m2; cp -r model m2; py "$mod" <<'P'
import json,sys; a=json.load(open('m2/architecture.json')); exec(sys.argv[1]); json.dump(a,open('m2/architecture.json','w'))
P
  case_ "architecture.json: $mod" $B explain --model m2 --input x.npy --target all --out e.npy; done
rm -rf m3; cp -r model m3; py <<'P'
import json,struct,numpy as np
b=bytearray(open('m3/weights.safetensors','rb').read()); n=struct.unpack('<Q',b[:8])[0]; h=json.loads(b[8:8+n])
k=sorted(h)[0] if sorted(h)[0]!='__metadata__' else sorted(h)[1]; o=h[k]['data_offsets'][0]; b[8+n+o:8+n+o+4]=np.float32(np.nan).tobytes(); open('m3/weights.safetensors','wb').write(b)
P
case_ "NaN weight" $B predict --model m3 --input x.npy --out p.npy
# rules nested
python3 -c "open('deep.yaml','w').write('deep: ' + '('*50000 + 'qrs_ms > 1' + ')'*50000 + '\\n')"
$B features --data ds --out feats.csv >/dev/null 2>&1
case_ "subgroup rule nested 50,000 deep" $B audit --model model --data ds --subgroups deep.yaml --features feats.csv --conditions NORM aud
printf 'a: qrs_ms > 100\na: qrs_ms > 120\n' > dup.yaml; case_ "duplicate rule names" $B features --data ds --concepts dup.yaml --out f2.csv
# ptbxl_database.csv
cp -r ds d1; py <<'P'
import csv
r=list(csv.reader(open('d1/ptbxl_database.csv'))); r.append(r[2]); csv.writer(open('d1/ptbxl_database.csv','w',newline='')).writerows(r)
P
case_ "duplicate ecg_id" $B export --data d1 --out e.npy
for v in inf nan 1e300 10.7; do rm -rf d2; cp -r ds d2; py "$v" <<'P'
import csv,sys
r=list(csv.reader(open('d2/ptbxl_database.csv'))); i=r[0].index('strat_fold'); r[1][i]=sys.argv[1]; csv.writer(open('d2/ptbxl_database.csv','w',newline='')).writerows(r)
P
case_ "strat_fold $v" $B export --data d2 --out e.npy; done
# YAML / folds / steps
cat > laughs.yaml <<'Y'
a: &a ["x","x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]
Y
case_ "YAML billion laughs" timeout 20 $B run laughs.yaml
printf '? [a]\n: b\n' > key.yaml; case_ "YAML key that is a list (fuzz)" $B run key.yaml
case_ "--folds 8-1" timeout 20 $B export --data ds --folds 8-1 --out e.npy
case_ "--steps 10^12" $B explain --model model --input x.npy --method ig --steps 1000000000000 --out e.npy
# silently wrong before
case_ "100 Hz model on 500 Hz data (PTB-XL folder)" $B predict --model model --data ds --rate 500 --out p.npy
case_ "NaN target" $B train --x x.npy --y ynan.npy --epochs 1 --batch-size 8 --out mnan
case_ "--learning-rate nan" $B train --x x.npy --y y.npy --epochs 1 --learning-rate nan --out mnan
case_ "records too short for lenet1d (64 samples)" bash -c "python3 -c \"import numpy as np; np.save('x64.npy', np.zeros((16,12,64),'f4'))\"; $B train --x x64.npy --y y.npy --epochs 1 --batch-size 8 --crop 0 --out mshort"
# read-only output
case_ "output under a file (checked before the work)" $B features --data ds --out x.npy/f.csv

# The reference side of bench/pycocotools.bench.ts (never used by the package or its tests): what a user of
# pycocotools runs to get the numbers `tasam coco-eval` prints, timed the same way, in one process.
#
#   python pycocotools-reference.py GT.json RESULTS.json segm|bbox
#
# Prints one JSON line: stats (12 numbers, full precision), per-category AP (as `tasam coco-eval --json`),
# the printed lines, seconds per step, CPU seconds and peak RSS of the process.
import contextlib
import io
import json
import resource
import sys
import time

t_start = time.perf_counter()
import numpy as np  # noqa: E402
from pycocotools.coco import COCO  # noqa: E402
from pycocotools.cocoeval import COCOeval  # noqa: E402

gt_path, dt_path, iou_type = sys.argv[1:4]
quiet = io.StringIO()
seconds = {}
t = time.perf_counter()
seconds["import"] = t - t_start
with contextlib.redirect_stdout(quiet):
    gt = COCO(gt_path)
    seconds["gtLoad"] = time.perf_counter() - t
    t = time.perf_counter()
    dt = gt.loadRes(dt_path)
    seconds["resultsLoad"] = time.perf_counter() - t
    t = time.perf_counter()
    ev = COCOeval(gt, dt, iou_type)
    ev.evaluate()
    seconds["evaluate"] = time.perf_counter() - t
    t = time.perf_counter()
    ev.accumulate()
    seconds["accumulate"] = time.perf_counter() - t
    t = time.perf_counter()
    ev.summarize()
    seconds["summarize"] = time.perf_counter() - t

# AP per category that has any (IoU .50:.95, area all, largest maxDets), as the CLI's perCategory.
precision = ev.eval["precision"]
per_category = {}
for k, cat_id in enumerate(ev.params.catIds):
    p = precision[:, :, k, 0, -1]
    p = p[p > -1]
    if p.size:
        per_category[str(cat_id)] = float(np.mean(p))

usage = resource.getrusage(resource.RUSAGE_SELF)
print(
    json.dumps(
        {
            "iouType": iou_type,
            "stats": [float(s) for s in ev.stats],
            "perCategory": per_category,
            "lines": quiet.getvalue().splitlines()[-12:],
            "seconds": seconds,
            "totalS": time.perf_counter() - t_start,
            "cpuS": usage.ru_utime + usage.ru_stime,
            "peakRssMb": usage.ru_maxrss / 1024,
            "numpy": np.__version__,
        }
    )
)

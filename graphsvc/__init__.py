"""graphsvc: stakeholder influence graph analyzer for key-account sales."""

import os

# The analysis solves many small dense systems (one per committee, 200 x 200 at most):
# BLAS threads only add hand-offs to each, and on a shared or loaded machine they make
# a 0.3 ms solve take 100-200 ms. One thread per solve, unless the operator says
# otherwise; set before numpy is first imported (numpy reads it once).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

__version__ = "0.1.0"

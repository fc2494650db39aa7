"""The guard's shipped data: exemplars (fitting), lexicons, the fitted model and the calibration and
test sets (sets/)."""

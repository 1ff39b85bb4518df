# SPDX-License-Identifier: GPL-2.0
# Counts TAP results: prints "PASSED FAILED SKIPPED". Each "1..N" plan starts
# a stream; tests a stream planned but never reported count as failed, so a
# test program that dies half way cannot look like a pass.
function close_stream() {
	if (plan > seen)
		failed += plan - seen
	plan = 0
	seen = 0
}
BEGIN { plan = 0; seen = 0; passed = 0; failed = 0; skipped = 0 }
/^1\.\.[0-9]+/ { close_stream(); plan = substr($1, 4) + 0; next }
/^ok / {
	seen++
	if (tolower($0) ~ /# *skip/)
		skipped++
	else
		passed++
	next
}
/^not ok / { seen++; failed++; next }
END { close_stream(); print passed, failed, skipped }

-- What a running evaluation is doing ("fetching inputs", "evaluating", ...), for the status pages.
-- NULL when the jobset is idle; the evaluator sets it as it goes and clears it when it releases the jobset.
ALTER TABLE jobsets ADD COLUMN eval_phase text;
ALTER TABLE jobsets ADD COLUMN eval_phase_since timestamptz;

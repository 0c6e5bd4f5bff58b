//! Three-valued evaluation of compiled criteria against a patient; verdicts, evidence, ranking.

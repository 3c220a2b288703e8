// Package evaluate owns the rules: the registry of criteria and measures (registry.go, the one
// definition of each criterion that the workbooks, the console and the sample read), criteria
// sets as YAML files the office writes (parsed with line-precise errors, stored as written,
// versioned per evaluation), commune groups, and the evaluation itself. It reads the set in
// force at a period's end, the unit structure in force then and the current facts of loaded
// batches, computes one result per unit and criterion — status (met / not met / no data),
// value, threshold and a short Vietnamese explanation — and stores them as an evaluation. It
// also reads stored results back and prints them (CSV, table, JSON).
//
// The heavy lifting is set-based SQL (one query per fact family and province, embedded from
// sql/): a province is read with its lineage (every code linked to its units, across provinces
// too), computed and stored before the next, so memory is one province's (parts.go); statuses
// are decided in Go with integer arithmetic only. docs/criteria.md describes every
// criterion, measure and decision.
package evaluate

// Package evaluate owns the rules: it reads the criteria set in force for a period
// (criteria are data in the criteria_set and criterion tables), the unit structure in
// force at the period end and the current facts of loaded batches, computes one result
// per unit and criterion — status (met / not met / no data), value, threshold and a short
// Vietnamese explanation — and stores them as an evaluation. It also reads stored results
// back and prints them (CSV, table, JSON).
//
// The heavy lifting is set-based SQL (one query per fact family, embedded from sql/);
// statuses are decided in Go with integer arithmetic only. docs/criteria.md describes
// every criterion and every decision made where DESIGN §6 is silent.
package evaluate

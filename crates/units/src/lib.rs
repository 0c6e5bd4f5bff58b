//! UCUM subset: units, conversions, analyte-specific factors, plausibility ranges.

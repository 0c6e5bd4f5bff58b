//! Patient model readers: FHIR R4 / bulk NDJSON / hand-entry profile, derived values.

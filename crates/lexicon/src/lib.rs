//! The concept lexicon as data: phrases and codes to concepts, canonical units, plausible ranges.

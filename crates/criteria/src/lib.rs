//! Eligibility text: segmentation, the criterion IR, compilation with source spans.

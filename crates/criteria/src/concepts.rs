//! The compiler's phrase table: text patterns → lexicon concept ids, with
//! the canonical unit and plausible range the compiler needs.
//!
//! Concept ids are the lexicon's stable names (`platelets`, `anc`, `alt`,
//! `crcl`, `child_pugh_score`, `ecog`, `maa_lung_dose_gy` …). Canonical units
//! follow clinical-rules §7.1 (UCUM, case-sensitive); plausible ranges are
//! sanity limits used to decide a thousands-vs-decimal separator (§7.1:
//! 150,000/µL = 150 × 10⁹/L), not clinical limits.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// What a concept is, for the compiler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cat {
    /// A measured or derived quantity compared with a value.
    Measure,
    /// A score or stage compared with a number (no unit).
    Score,
    /// A condition present or absent.
    Condition,
    /// A therapy or procedure received.
    Therapy,
    /// Trial participation.
    Trial,
}

/// One phrase-table entry.
pub struct ConceptDef {
    /// Concept ids this phrase names (`ALT/AST` names two).
    pub ids: &'static [&'static str],
    pub cat: Cat,
    /// Canonical UCUM unit (`None` for conditions; `{score}`-like scores
    /// use `None` and accept unit-less numbers).
    pub unit: Option<&'static str>,
    /// Plausible range in the canonical unit.
    pub range: (f64, f64),
    /// Case-insensitive regex; `(?-i:…)` inside for case-sensitive
    /// abbreviations.
    pub pattern: Cow<'static, str>,
}

/// One hand pattern: concept ids (lexicon), the compiler's reading unit
/// and plausible range (see [`ConceptDef`]), the regex.
struct Hand {
    ids: &'static [&'static str],
    unit: Option<&'static str>,
    range: (f64, f64),
    pattern: &'static str,
}

macro_rules! c {
    ($ids:expr, $unit:expr, $lo:expr, $hi:expr, $pat:expr) => {
        Hand {
            ids: $ids,
            unit: $unit,
            range: ($lo, $hi),
            pattern: $pat,
        }
    };
}

/// Abbreviation in parentheses after a full name: ` (ANC)`.
const ABBR: &str = r"(?:\s*\((?-i:[A-Z][A-Za-z0-9\-/ ]{0,10})\))?";

/// The hand patterns, keyed by lexicon concept id: only what a phrase
/// list cannot say (optional words, alternatives inside a phrase, `ALT/AST`
/// naming two concepts, negated forms, long descriptive phrases). Every
/// other concept the compiler reads comes from the lexicon's phrases
/// (`"compile": true`, [`phrase_pattern`]). The mention category of every
/// entry is the lexicon's ([`tm_lexicon::Concept::mention`]).
static HAND: LazyLock<Vec<Hand>> = LazyLock::new(|| {
    vec![
        // --- labs (§7.1) ---
        c!(
            &["anc"],
            Some("10*9/L"),
            0.01,
            100.0,
            r"absolute\s+neutrophil(?:\s+count)?|neutrophils?(?:\s+count)?|neutrophil\s+granulocytes?|(?-i:ANC|AGC)|absolute\s+granulocyte\s+count|granulocytes?"
        ),
        c!(
            &["platelets"],
            Some("10*9/L"),
            1.0,
            2000.0,
            r"platelets?(?:\s+counts?)?|thrombocytes?(?:\s+count)?|(?-i:PLT|Plt)"
        ),
        c!(
            &["wbc"],
            Some("10*9/L"),
            0.1,
            500.0,
            r"white\s+blood\s+cells?(?:\s+count)?|white\s+(?:blood\s+)?cell\s+count|leukocytes?(?:\s+count)?|leucocytes?|(?-i:WBC)"
        ),
        c!(
            &["lymphocytes"],
            Some("10*9/L"),
            0.01,
            200.0,
            r"lymphocytes?(?:\s+count)?|(?-i:LYMPH|ALC)"
        ),
        c!(
            &["inkt_cells"],
            Some("/mL"),
            0.0,
            1e9,
            r"(?-i:iNKT|INKT)(?:\s+cells?)?(?:\s+counts?)?|invariant\s+natural\s+killer\s+T(?:\s+cells?)?|invariant\s+(?-i:NKT)(?:\s+cells?)?"
        ),
        c!(
            &["hemoglobin"],
            Some("g/L"),
            20.0,
            250.0,
            r"ha?emoglobin|(?-i:HGB|Hgb|Hb)"
        ),
        c!(
            &["total_bilirubin"],
            Some("umol/L"),
            1.0,
            1000.0,
            r"(?:serum\s+)?(?:total\s+)?bilirubin|(?-i:TBIL|TBil|T-bil)"
        ),
        c!(
            &["alt", "ast"],
            Some("U/L"),
            1.0,
            10000.0,
            r"(?-i:ALT\s*/\s*AST|AST\s*/\s*ALT|SGOT\s*/\s*SGPT|SGPT\s*/\s*SGOT)|(?:aspartate|AST)\s+(?:or|and|/)\s+(?:alanine|ALT)\s+(?:amino\s*)?transferases?|(?:alanine|ALT)\s+(?:or|and|/)\s+(?:aspartate|AST)\s+(?:amino\s*)?transferases?|transaminases|(?:serum\s+)?aminotransferases|liver\s+enzymes"
        ),
        c!(
            &["alt"],
            Some("U/L"),
            1.0,
            10000.0,
            r"alanine\s+(?:amino\s*)?transferase|alanine\s+transaminase|(?-i:ALT|SGPT|ALAT)"
        ),
        c!(
            &["ast"],
            Some("U/L"),
            1.0,
            10000.0,
            r"aspartate\s+(?:amino\s*)?transferase|aspartate\s+transaminase|(?-i:AST|SGOT|ASAT)"
        ),
        c!(
            &["alp"],
            Some("U/L"),
            1.0,
            10000.0,
            r"alkaline\s+phosphatase|(?-i:ALP)"
        ),
        c!(
            &["albumin"],
            Some("g/L"),
            5.0,
            80.0,
            r"(?:serum\s+)?albumin|(?-i:ALB)"
        ),
        c!(
            &["crcl"],
            Some("mL/min"),
            1.0,
            300.0,
            r"(?:calculated\s+|measured\s+)?creatinine\s+clearance(?:\s+rate)?|(?-i:CCr|CrCl|CrCL|CLcr|CCR)"
        ),
        c!(
            &["egfr"],
            Some("mL/min/{1.73_m2}"),
            1.0,
            300.0,
            r"(?:estimated\s+)?glomerular\s+filtration\s+rate|(?-i:eGFR|GFR)"
        ),
        c!(
            &["creatinine"],
            Some("umol/L"),
            5.0,
            3000.0,
            r"(?:serum\s+)?creatinine|(?-i:SCr|sCr|Cre|Cr)"
        ),
        c!(
            &["inr"],
            Some("{INR}"),
            0.5,
            20.0,
            r"international\s+normali[sz]ed\s+ratio|(?-i:INR)"
        ),
        c!(
            &["aptt"],
            Some("s"),
            5.0,
            300.0,
            r"(?:activated\s+)?partial\s+thromboplastin\s+time|(?-i:APTT|aPTT|PTT)"
        ),
        c!(
            &["pt"],
            Some("s"),
            5.0,
            200.0,
            r"prothrombin\s+time|(?-i:PT)"
        ),
        c!(
            &["lvef"],
            Some("%"),
            5.0,
            90.0,
            r"left\s+ventricular\s+ejection\s+fraction|(?-i:LVEF)|ejection\s+fraction"
        ),
        c!(
            &["fev1_fvc"],
            Some("%"),
            10.0,
            100.0,
            r"(?-i:FEV1\s*/\s*FVC)"
        ),
        c!(
            &["fev1"],
            Some("L"),
            0.1,
            8.0,
            r"forced\s+expiratory\s+volume\s+in\s+(?:one|1)\s+second|(?-i:FEV1)"
        ),
        c!(
            &["mvv"],
            Some("L/min"),
            5.0,
            300.0,
            r"maximum\s+voluntary\s+ventilation|(?-i:MVV)"
        ),
        c!(
            &["glucose_fasting"],
            Some("mmol/L"),
            1.0,
            60.0,
            r"fasting\s+(?:blood\s+|plasma\s+|serum\s+)?glucose|(?-i:FBG|FPG)"
        ),
        c!(
            &["glucose"],
            Some("mmol/L"),
            1.0,
            60.0,
            r"(?:blood\s+|plasma\s+|serum\s+)?glucose"
        ),
        c!(
            &["sbp"],
            Some("mm[Hg]"),
            50.0,
            300.0,
            r"systolic\s+(?:blood\s+)?pressure|(?-i:SBP)"
        ),
        c!(
            &["dbp"],
            Some("mm[Hg]"),
            20.0,
            200.0,
            r"diastolic\s+(?:blood\s+)?pressure|(?-i:DBP)"
        ),
        c!(
            &["icg_r15"],
            Some("%"),
            0.0,
            100.0,
            r"(?:ICG|indocyanine\s+green)(?:\s+|-)(?:retention\s+rate|retention|R15)(?:\s+at\s+15\s+min(?:utes)?)?|(?-i:ICG-?R15)"
        ),
        c!(
            &["hbv_dna"],
            Some("[IU]/mL"),
            0.0,
            1e12,
            r"(?:hepatitis\s+B\s+virus|(?-i:HBV))(?:\s*\((?-i:HBV)\))?[\s-]*DNA|(?-i:HBV)\s*-?\s*DNA"
        ),
        c!(
            &["hcv_rna"],
            Some("[IU]/mL"),
            0.0,
            1e12,
            r"(?:hepatitis\s+C\s+virus|(?-i:HCV))(?:\s*\((?-i:HCV)\))?[\s-]*RNA"
        ),
        c!(
            &["afp"],
            Some("ng/mL"),
            0.0,
            1e7,
            r"alpha[\s-]*fetoprotein|α-?fetoprotein|(?-i:AFP)"
        ),
        c!(
            &["maa_lung_dose_gy"],
            Some("Gy"),
            0.0,
            500.0,
            r"(?:single\s+)?lung\s+(?:radiation\s+)?(?:absorbed\s+)?dose"
        ),
        c!(
            &["lung_shunt_fraction"],
            Some("%"),
            0.0,
            100.0,
            r"lung\s+shunt(?:\s+fraction)?|(?-i:LSF)"
        ),
        c!(
            &["tumour_burden_pct"],
            Some("%"),
            0.0,
            100.0,
            r"tumou?r\s+(?:burden|involvement|volume|load)|(?:hepatic|liver)\s+(?:tumou?r\s+)?(?:invasion|involvement|replacement)"
        ),
        c!(
            &["life_expectancy"],
            Some("mo"),
            0.0,
            600.0,
            r"life\s+expectancy|(?:estimated|expected|predicted)\s+(?:survival|life)(?:\s+(?:period|time|expectancy))?"
        ),
        c!(
            &["age"],
            Some("a"),
            0.0,
            120.0,
            r"age[ds]?|(?:years\s+)?of\s+age"
        ),
        c!(&["weight"], Some("kg"), 1.0, 400.0, r"(?:body\s+)?weight"),
        c!(
            &["bmi"],
            Some("kg/m2"),
            8.0,
            100.0,
            r"body\s+mass\s+index|(?-i:BMI)"
        ),
        c!(
            &["prednisone_equivalent_dose"],
            Some("mg/d"),
            0.0,
            2000.0,
            r"prednisone(?:\s+equivalent)?"
        ),
        // --- scores and stages (§1) ---
        c!(
            &["child_pugh_score"],
            None,
            5.0,
            15.0,
            r"child[\s-]+(?:turcotte[\s-]+)?pugh(?:[\s-]+turcotte)?(?:\s+(?:score|points|class(?:ification)?|grade|stage))?|(?-i:CTP|CP)(?:\s+(?:score|class))?"
        ),
        c!(
            &["ecog"],
            None,
            0.0,
            5.0,
            r"eastern\s+cooperative\s+oncology\s+group(?:\s*\((?-i:ECOG)\))?(?:\s+performance\s+(?:status|score))?(?:\s+score)?|(?-i:ECOG)(?:\s+performance\s+(?:status|score))?(?:\s+(?:score|PS))?|(?-i:ECOG-PS|PS)|performance\s+status"
        ),
        c!(
            &["karnofsky"],
            None,
            0.0,
            100.0,
            r"karnofsky(?:\s+performance)?(?:\s+(?:status|score|scale|index))?|(?-i:KPS)"
        ),
        c!(
            &["bclc_stage"],
            None,
            0.0,
            4.0,
            r"(?:barcelona\s+clinic\s+liver\s+cancer|(?-i:BCLC))(?:\s+stag(?:e|ing))?"
        ),
        c!(&["albi_grade"], None, 1.0, 3.0, r"(?-i:ALBI)(?:\s+grade)?"),
        c!(
            &["up_to_seven"],
            None,
            0.0,
            100.0,
            r"up[\s-]*to[\s-]*(?:seven|7)(?:\s+criteri(?:a|on))?"
        ),
        c!(
            &["ctcae_grade"],
            None,
            0.0,
            5.0,
            r"(?:persistent,?\s+)?(?:unrelieved\s+)?toxicity(?:\s+reactions?)?\s+of\s+(?-i:CTCAE)|(?-i:CTCAE)|(?:toxicity\s+)?grade"
        ),
        // --- conditions (§8) ---
        c!(
            &["hcc"],
            None,
            0.0,
            0.0,
            r"hepatocellular\s+carcinoma|(?-i:HCC)|liver\s+cancer|primary\s+liver\s+cancer"
        ),
        // "non-hepatocellular carcinoma": a pathology other than HCC, read as
        // HCC absent (`negated_mention`).
        c!(
            &["hcc"],
            None,
            0.0,
            0.0,
            r"non-?\s*hepatocellular\s+carcinoma|non-?\s*(?-i:HCC)"
        ),
        c!(
            &["liver_metastases"],
            None,
            0.0,
            0.0,
            r"(?:liver|hepatic)\s+metastas[ie]s|metastas[ie]s\s+to\s+the\s+liver"
        ),
        c!(
            &["liver_dominant_metastases"],
            None,
            0.0,
            0.0,
            r"liver\s+metastatic\s+disease\s+(?:dominant\s+or\s+exclusive|exclusive\s+or\s+dominant)|liver[\s-](?:dominant|only)\s+(?:metastatic\s+)?disease"
        ),
        c!(
            &["net"],
            None,
            0.0,
            0.0,
            r"(?:well[\s-]differentiated\s+)?(?:gastro-?entero-?pancreatic\s+)?neuroendocrine\s+tumou?rs?(?:\s*\((?-i:NETs?)\))?(?:\s+of\s+(?:the\s+)?(?:gastrointestinal|pancreatic)(?:\s+or\s+pancreatic)?\s+origin(?:\s*\((?-i:GEP)\))?)?|(?-i:GEP-?NETs?)"
        ),
        // "progressive after treatment with cold somatostatin analog".
        c!(
            &["ssa_progression"],
            None,
            0.0,
            0.0,
            r"(?:are\s+)?progressive\s+after\s+treatment\s+with\s+(?:cold\s+)?somatostatin\s+analog(?:ue)?s?|progress(?:ion|ed)\s+(?:on|after)\s+(?:cold\s+)?somatostatin\s+analog(?:ue)?s?"
        ),
        c!(
            &["complete_response"],
            None,
            0.0,
            0.0,
            r"complete\s+response\s+defined\s+by\s+the\s+absence\s+of\s+lesions?(?:\s+according\s+to\s+(?-i:RECIST)(?:\s*1\.1)?)?"
        ),
        c!(&["sstr_uptake"], None, 0.0, 0.0, r"residual\s+uptake"),
        c!(
            &["portal_vein_thrombosis"],
            None,
            0.0,
            0.0,
            r"portal\s+(?:vein\s+|venous\s+)?thrombosis"
        ),
        c!(
            &["biliary_dilatation"],
            None,
            0.0,
            0.0,
            r"(?:intra-?hepatic\s+)?biliary\s+(?:tract\s+)?dilatation"
        ),
        c!(
            &["biliary_anastomosis"],
            None,
            0.0,
            0.0,
            r"(?:digestive\s+or\s+)?biliary\s+anastomosis(?:\s+or\s+fistula)?|bilio-?enteric\s+anastomosis"
        ),
        c!(
            &["mri_contraindication"],
            None,
            0.0,
            0.0,
            r"(?-i:MRI)\s+(?:scan\s+)?contraindicated|contraindications?\s+to\s+(?-i:MRI)"
        ),
        c!(
            &["lutathera_contraindication"],
            None,
            0.0,
            0.0,
            r"(?-i:LUTATHERA)\s*®?\s+contraindicated"
        ),
        c!(
            &["prrt_dose_limiting_toxicity"],
            None,
            0.0,
            0.0,
            r"toxicity\s+during\s+one\s+of\s+the\s+(?:(?-i:IV)\s+)?administrations\s+leading\s+to\s+a\s+reduction\s+or\s+cancellation\s+of\s+the\s+following\s+dose"
        ),
        c!(
            &["extrahepatic_spread"],
            None,
            0.0,
            0.0,
            r"extra-?hepatic\s+(?:metastas[ie]s|spread|disease)|distant\s+metastas[ie]s"
        ),
        c!(
            &["other_malignancy"],
            None,
            0.0,
            0.0,
            r"(?:combined\s+with\s+)?other\s+tumou?rs|(?:other|another|concurrent|second|prior|previous)\s+(?:primary\s+)?malignan(?:cy|cies|t\s+tumou?rs?)(?:\s+other\s+than\s+(?:liver\s+cancer|(?-i:HCC)|hepatocellular\s+carcinoma))?|malignan(?:cy|cies|t\s+tumou?rs?)\s+other\s+than"
        ),
        c!(
            &["hiv"],
            None,
            0.0,
            0.0,
            r"(?:positive\s+(?:results?\s+(?:of|for)\s+)?)?(?:(?-i:HIV)(?:[\s-]*1(?:/2)?)?|human\s+immunodeficiency\s+virus)(?:\s+(?:antibody|antibodies|Ab))?(?:\s+tests?)?(?:\s+(?:positive|positivity|infection))?|(?-i:AIDS)"
        ),
        c!(&["pregnant"], None, 0.0, 0.0, r"pregnan(?:t|cy)"),
        c!(
            &["lactating"],
            None,
            0.0,
            0.0,
            r"lactating|lactation|breast[\s-]*feeding|nursing"
        ),
        c!(
            &["pvtt"],
            None,
            0.0,
            0.0,
            r"portal\s+vein\s+tumou?r\s+thromb(?:us|osis)|(?-i:PVTT)|hepatic\s+tumou?r\s+thrombus|tumou?r\s+thrombus"
        ),
        c!(
            &["hepatic_encephalopathy"],
            None,
            0.0,
            0.0,
            r"hepatic\s+encephalopathy"
        ),
        c!(&["ascites"], None, 0.0, 0.0, r"ascites"),
        c!(
            &["gi_bleeding"],
            None,
            0.0,
            0.0,
            r"(?:upper\s+)?gastrointestinal\s+(?:bleeding|ha?emorrhage)|variceal\s+(?:bleeding|ha?emorrhage)"
        ),
        c!(
            &["decompensated_cirrhosis"],
            None,
            0.0,
            0.0,
            r"decompensated\s+(?:liver\s+)?cirrhosis|hepatic\s+decompensation"
        ),
        c!(
            &["autoimmune_disease"],
            None,
            0.0,
            0.0,
            r"autoimmune\s+diseases?|(?:unstable\s+)?immune\s+system(?:atic|ic)?\s+diseases?"
        ),
        c!(
            &["tuberculosis"],
            None,
            0.0,
            0.0,
            r"(?:active\s+)?tuberculosis(?:\s+infection)?"
        ),
        c!(
            &["hbv"],
            None,
            0.0,
            0.0,
            r"hepatitis\s+B(?:\s+(?:virus\s+)?infection)?|(?-i:HBsAg)(?:\s+positive)?"
        ),
        c!(
            &["hcv"],
            None,
            0.0,
            0.0,
            r"hepatitis\s+C(?:\s+(?:virus\s+)?infection)?"
        ),
        c!(&["syphilis"], None, 0.0, 0.0, r"syphilis"),
        c!(&["diabetes"], None, 0.0, 0.0, r"diabetes(?:\s+mellitus)?"),
        c!(
            &["hypertension"],
            None,
            0.0,
            0.0,
            r"(?:arterial\s+)?hypertension"
        ),
        c!(
            &["heart_failure"],
            None,
            0.0,
            0.0,
            r"(?:congestive\s+)?heart\s+failure"
        ),
        c!(
            &["myocardial_infarction"],
            None,
            0.0,
            0.0,
            r"myocardial\s+infarction"
        ),
        c!(
            &["stroke"],
            None,
            0.0,
            0.0,
            r"stroke|cerebrovascular\s+accident"
        ),
        c!(
            &["pulmonary_embolism"],
            None,
            0.0,
            0.0,
            r"pulmonary\s+embolism"
        ),
        c!(
            &["unstable_angina"],
            None,
            0.0,
            0.0,
            r"unstable\s+angina(?:\s+pectoris)?"
        ),
        c!(
            &["interstitial_lung_disease"],
            None,
            0.0,
            0.0,
            r"interstitial\s+lung\s+disease|pulmonary\s+fibrosis"
        ),
        c!(
            &["radiation_pneumonitis"],
            None,
            0.0,
            0.0,
            r"radiation\s+pneumonitis"
        ),
        c!(
            &["basal_cell_carcinoma"],
            None,
            0.0,
            0.0,
            r"(?:skin\s+)?basal\s+cell\s+carcinoma(?:\s+of\s+the\s+skin)?"
        ),
        c!(
            &["cervical_carcinoma_in_situ"],
            None,
            0.0,
            0.0,
            r"(?:cervical\s+carcinoma|carcinoma\s+of\s+the\s+cervix)\s+in\s+situ"
        ),
        c!(
            &["contrast_allergy"],
            None,
            0.0,
            0.0,
            r"allerg(?:y|ic)\s+(?:reactions?\s+)?to\s+contrast(?:\s+agents?|\s+media)?"
        ),
        c!(
            &["alcohol_dependence"],
            None,
            0.0,
            0.0,
            r"alcohol\s+(?:dependence|abuse)"
        ),
        c!(
            &["infection"],
            None,
            0.0,
            0.0,
            r"active\s+(?:severe\s+)?(?:clinical\s+)?infections?(?:\s+requiring\s+systemic\s+(?:therapy|treatment|antibiotics))?|(?:active\s+or\s+)?severe(?:ly)?\s+infect(?:ed|ions?)(?:\s+(?:participants|patients|subjects))?(?:\s+requiring\s+systemic\s+(?:therapy|treatment|antibiotics))?|infectious\s+diseases?"
        ),
        // --- SIRT / liver-directed work-up findings (clinical-rules §8) ---
        // "At least one well defined tumor (mRECIST)": ≥ 1 mRECIST target
        // lesion, answered from the lesion list (tm_clinical::measurable).
        c!(
            &["measurable_disease_mrecist"],
            None,
            0.0,
            0.0,
            r"(?:at\s+least\s+one\s+)?(?:well[\s-]+defined|well[\s-]+delineated|measurable|evaluable)\s+(?:and\s+measurable\s+)?(?:(?:intra)?hepatic\s+|liver\s+|target\s+)?(?:tumou?rs?|lesions?|nodules?|disease)\s*(?:\(\s*(?-i:mRECIST)\s*\)|(?:according\s+to|per|by|as\s+defined\s+by|using)\s+(?:the\s+)?(?-i:mRECIST)(?:\s+criteria)?)"
        ),
        c!(
            &["measurable_disease"],
            None,
            0.0,
            0.0,
            r"assessable\s+by\s+(?-i:RECIST)(?:\s*(?:v(?:ersion)?\.?\s*)?1\.1)?|(?:at\s+least\s+one\s+)?(?:radiologically\s+)?measurable\s+(?:target\s+)?(?:tumou?rs?|lesions?|disease)(?:\s*\(\s*(?-i:RECIST)(?:\s*(?:v(?:ersion)?\.?\s*)?1\.1)?\s*\)|\s+(?:according\s+to|per|by|as\s+defined\s+by|using)\s+(?:the\s+)?(?-i:RECIST)(?:\s*(?:v(?:ersion)?\.?\s*)?1\.1)?(?:\s+criteria)?)?"
        ),
        c!(
            &["hepatic_artery_malformation"],
            None,
            0.0,
            0.0,
            r"(?:hepatic\s+)?arter(?:y|ial)\s+(?:malformations?|anomal(?:y|ies))(?:\s+(?:and|or|with)\s+(?:being\s+)?unable\s+to\s+(?:intubate|catheteri[sz]e|cannulate|access)\s+(?:the\s+)?hepatic\s+arter(?:y|ies))?|unable\s+to\s+(?:intubate|catheteri[sz]e|cannulate)\s+(?:the\s+)?hepatic\s+arter(?:y|ies)"
        ),
        c!(
            &["gi_shunting"],
            None,
            0.0,
            0.0,
            r"(?:uncorrectable\s+|non-?correctable\s+)?(?:gastrointestinal|(?-i:GI)|extrahepatic)\s+(?:shunts?|shunting|deposition|reflux)(?:,?\s+(?:which|that)\s+(?:may|can|could)\s+not\s+be\s+(?:remedied|corrected)(?:\s+(?:through|by|with)\s+(?:vascular\s+)?(?:intervention(?:al)?\s+)?(?:techniques?|coil\s+embolization|embolization|embolisation))?)?"
        ),
        // "the NRT6003 injection cannot cover all lesions within the liver".
        c!(
            &["maa_incomplete_coverage"],
            None,
            0.0,
            0.0,
            r"(?:the\s+)?(?:[a-z0-9-]+\s+)?(?:injection|microspheres?|treatment|activity|infusion)\s+(?:cannot|can\s+not|could\s+not|does\s+not|will\s+not)\s+cover\s+all\s+(?:the\s+)?(?:target\s+)?(?:lesions|tumou?rs)(?:\s+(?:within|in)\s+the\s+liver)?"
        ),
        // Resectability as documented by the surgical / MDT assessment;
        // "unresectable" is the same concept read as absent
        // (`negated_mention`).
        c!(
            &["resectable"],
            None,
            0.0,
            0.0,
            r"(?:deemed|considered|judged|assessed\s+as)\s+(?:technically\s+)?resectable|(?:(?:the\s+)?tumou?r\s+is\s+)?(?:un|non-?)resectable|not\s+amenable\s+to\s+surgical\s+resection|resectable\s+(?:disease|tumou?rs?)"
        ),
        // "capable of tolerating surgery": the pre-operative fitness
        // assessment (anaesthesia / surgical review).
        c!(
            &["fit_for_surgery"],
            None,
            0.0,
            0.0,
            r"(?:are\s+|is\s+)?(?:capable\s+of|able\s+to)\s+tolerat(?:e|ing)\s+(?:the\s+)?(?:surgery|surgical\s+(?:treatment|resection))|(?:medically\s+)?fit\s+for\s+surgery"
        ),
        // "relapsed after previous therapy and no effective therapies known
        // at this time": documented progression with no standard option left.
        c!(
            &["standard_therapy_exhausted"],
            None,
            0.0,
            0.0,
            r"(?:relapsed|progressed|refractory)\s+(?:after|on|to)\s+(?:previous|prior|standard)\s+(?:therapy|therapies|treatments?)\s+and\s+(?:for\s+whom\s+)?no\s+(?:effective|standard|available)\s+(?:therapy|therapies|treatments?)(?:\s+(?:is|are)\s+)?(?:\s*known|\s*available|\s*exists?)?(?:\s+at\s+this\s+time)?|no\s+(?:effective|standard)\s+(?:therapy|therapies|treatments?)\s+(?:is\s+|are\s+)?(?:known|available|exists?)(?:\s+at\s+this\s+time)?"
        ),
        c!(
            &["contrast_allergy", "anesthetic_allergy"],
            None,
            0.0,
            0.0,
            r"allerg(?:y|ic)\s+(?:reactions?\s+)?to\s+contrast(?:\s+agents?|\s+media)?\s+(?:or|and|and/or)\s+ana?esthe(?:tics?|tic\s+agents?|sia)"
        ),
        c!(
            &["anesthetic_allergy"],
            None,
            0.0,
            0.0,
            r"allerg(?:y|ic)\s+(?:reactions?\s+)?to\s+(?:local\s+|general\s+)?ana?esthe(?:tics?|tic\s+agents?|sia)"
        ),
        c!(
            &["drug_allergy"],
            None,
            0.0,
            0.0,
            r"(?:allerg(?:y|ies|ic)|hypersensitivity)\s+(?:history\s+|reactions?\s+)?to\s+(?:any\s+(?:of\s+the\s+)?)?(?:(?:components?|excipients?|ingredients?)\s+of\s+)?(?:the\s+)?(?:study|investigational|trial|related|test)\s+(?:drugs?|medications?|products?|agents?|treatment)(?:\s+(?:and|or)\s+(?:immunotherapy|their\s+excipients|excipients))?"
        ),
        c!(
            &["uncontrolled_disease"],
            None,
            0.0,
            0.0,
            r"(?:diseases?|illness(?:es)?|conditions?)\s+(?:that\s+|which\s+)?(?:have|has)\s+not\s+been\s+controlled(?:\s+despite\s+aggressive\s+treatment)?|uncontrolled\s+intercurrent\s+illness(?:es)?"
        ),
        c!(
            &["cns_metastases"],
            None,
            0.0,
            0.0,
            r"(?:central\s+nervous\s+system|(?-i:CNS)|brain)\s+(?:tumou?r\s+)?metastas[ie]s|metastas[ie]s\s+(?:to|of)\s+the\s+(?:brain|central\s+nervous\s+system)"
        ),
        c!(
            &["pleural_effusion"],
            None,
            0.0,
            0.0,
            r"pleural\s+effusions?"
        ),
        c!(
            &["pericardial_effusion"],
            None,
            0.0,
            0.0,
            r"pericardial\s+effusions?"
        ),
        c!(
            &["bleeding_tendency"],
            None,
            0.0,
            0.0,
            r"(?:clinical(?:ly)?\s+significant\s+)?bleeding\s+(?:events?|tendenc(?:y|ies)|diathes[ie]s|disorders?)(?:\s+or\s+bleeding\s+tendenc(?:y|ies))?|coagulopathy|coagulation\s+disorders?"
        ),
        c!(
            &["sle"],
            None,
            0.0,
            0.0,
            r"(?:systemic\s+)?lupus\s+erythematosus|(?-i:SLE)"
        ),
        c!(
            &["rheumatoid_arthritis"],
            None,
            0.0,
            0.0,
            r"rheumatoid\s+arthritis"
        ),
        c!(
            &["mental_illness"],
            None,
            0.0,
            0.0,
            r"(?:mental|psychiatric)\s+(?:illness(?:es)?|disorders?|diseases?)"
        ),
        c!(
            &["lung_disease"],
            None,
            0.0,
            0.0,
            r"(?:severe\s+|acute\s+)?lung\s+diseases?|severe\s+pulmonary\s+(?:disease|dysfunction)"
        ),
        c!(
            &["cardiovascular_disease"],
            None,
            0.0,
            0.0,
            r"cardiovascular\s+diseases?|heart\s+diseases?|cardiac\s+diseases?"
        ),
        // --- therapies and procedures ---
        c!(
            &["antitumor_therapy"],
            None,
            0.0,
            0.0,
            r"anti-?(?:tumou?r|cancer|neoplastic)\s+(?:therapy|therapies|treatments?|drugs?)|systemic\s+anti-?cancer\s+(?:therapy|treatment)"
        ),
        c!(
            &["chemotherapy"],
            None,
            0.0,
            0.0,
            r"(?:systemic\s+)?chemotherapy|radiochemotherapy"
        ),
        c!(&["immunotherapy"], None, 0.0, 0.0, r"immunotherapy"),
        c!(
            &["targeted_therapy"],
            None,
            0.0,
            0.0,
            r"targeted\s+(?:therapy|drugs?)|targeting\s+drugs?"
        ),
        c!(
            &["radiotherapy"],
            None,
            0.0,
            0.0,
            r"radiotherapy|radiation\s+therapy"
        ),
        c!(
            &["tace"],
            None,
            0.0,
            0.0,
            r"trans\s*(?:catheter\s+)?arterial\s+chemo-?embolization|(?-i:TACE)"
        ),
        // Conventional TACE with iodized oil. The negative form "non-iodized
        // oil chemoembolization" is the same concept read as absent
        // (`Not { Has }`, see `negated_mention`).
        c!(
            &["tace_lipiodol"],
            None,
            0.0,
            0.0,
            r"(?:trans\s*(?:catheter\s+)?arterial\s+)?non-?\s*(?:iodi[sz]ed[\s-]+oil|lipiodol)\s+chemo-?embolization|(?:conventional|lipiodol)\s+(?:(?-i:TACE)|chemo-?embolization)|(?-i:cTACE)|(?-i:TACE)\s+with\s+(?:lipiodol|iodi[sz]ed\s+oil)"
        ),
        c!(
            &["ablation"],
            None,
            0.0,
            0.0,
            r"radiofrequency\s+ablation|(?-i:RFA)"
        ),
        c!(
            &["locoregional_therapy"],
            None,
            0.0,
            0.0,
            r"(?:loco-?regional|local|interventional|liver-directed)\s+(?:therapy|therapies|treatments?)"
        ),
        c!(
            &["resection"],
            None,
            0.0,
            0.0,
            r"surgical\s+(?:resection|procedures?)|(?:liver|hepatic)\s+resection|(?:partial\s+)?hepatectomy|surgeries"
        ),
        c!(
            &["transfusion"],
            None,
            0.0,
            0.0,
            r"(?:blood\s+)?transfusions?"
        ),
        c!(
            &["gcsf"],
            None,
            0.0,
            0.0,
            r"granulocyte\s+colony[\s-]+stimulating\s+factor(?:\s*\((?-i:G-CSF)\))?(?:\s+treatment)?|(?-i:G-CSF)"
        ),
        c!(
            &["renal_replacement_therapy"],
            None,
            0.0,
            0.0,
            r"renal\s+replacement\s+therapy|dialysis"
        ),
        c!(
            &["stem_cell_transplant", "organ_transplant"],
            None,
            0.0,
            0.0,
            r"stem\s+cell\s+or\s+organ\s+transplant(?:ation)?"
        ),
        c!(
            &["stem_cell_transplant"],
            None,
            0.0,
            0.0,
            r"(?:(?:ha?ematopoietic\s+)?stem\s+cell|bone\s+marrow)\s+transplant(?:ation)?"
        ),
        c!(
            &["organ_transplant"],
            None,
            0.0,
            0.0,
            r"organ\s+transplant(?:ation)?"
        ),
        c!(
            &["liver_transplant"],
            None,
            0.0,
            0.0,
            r"liver\s+transplant(?:ation)?"
        ),
        c!(
            &["anticoagulant"],
            None,
            0.0,
            0.0,
            r"anticoagulant\s+(?:treatment|therapy)|(?:warfarin|heparin)(?:\s+or\s+(?:warfarin|heparin))?(?:\s+for\s+anticoagulation(?:\s+therapy)?)?|anticoagulation\s+therapy"
        ),
        c!(
            &["thrombolytic", "anticoagulant"],
            None,
            0.0,
            0.0,
            r"thrombolytic\s+or\s+anticoagulant\s+(?:treatment|therapy)"
        ),
        c!(
            &["corticosteroid"],
            None,
            0.0,
            0.0,
            r"(?:long[\s-]term\s+)?(?:hormone|steroid|corticosteroid)\s+users?\s+(?:who\s+)?requir(?:e|ing)\s+ongoing\s+systemic\s+(?:hormone|steroid|corticosteroid)\s+(?:treatment|therapy)|systemic\s+(?:hormone|steroid|corticosteroid|glucocorticoid)s?\s+(?:treatment|therapy)|(?:systemic\s+)?(?:corticosteroids?|glucocorticoids?)"
        ),
        c!(
            &["immunosuppressant"],
            None,
            0.0,
            0.0,
            r"(?:any\s+other\s+form\s+of\s+)?immunosuppressive\s+(?:therapy|therapies|treatments?|drugs?|agents?|medications?)|immunosuppressants?"
        ),
        c!(
            &["clinical_trial_participation"],
            None,
            0.0,
            0.0,
            r"(?:participated|participating|participation|enrolled|enrollment)\s+(?:in|to)\s+(?:an?\s+)?(?:other|another)?\s*(?:interventional\s+)?(?:clinical\s+)?(?:trials?|stud(?:y|ies)|research\s+protocols?)"
        ),
    ]
});

/// The mention category of a lexicon concept, for the compiler.
pub fn cat_of(id: &str) -> Option<Cat> {
    Some(match tm_lexicon::get(id)?.mention() {
        tm_lexicon::Mention::Measure => Cat::Measure,
        tm_lexicon::Mention::Score => Cat::Score,
        tm_lexicon::Mention::Condition => Cat::Condition,
        tm_lexicon::Mention::Therapy => Cat::Therapy,
        tm_lexicon::Mention::Trial => Cat::Trial,
    })
}

/// A word-bounded, case-insensitive regex of a concept's phrases: its
/// synonyms, id and display (tokens joined by spaces or hyphens) and its
/// abbreviations (case-sensitive), longest first. The start boundary is
/// added by [`def_regex`], the end boundary checked by [`find_mentions`].
pub fn phrase_pattern(c: &tm_lexicon::Concept) -> String {
    let phrase = |p: &str| {
        tm_lexicon::tokens(p)
            .into_iter()
            .map(|(t, _)| regex::escape(&t))
            .collect::<Vec<_>>()
            .join(r"[\s\-/]+")
    };
    let mut alts: Vec<String> = Vec::new();
    let mut words: Vec<String> = c.synonyms.clone();
    for extra in [c.id.replace('_', " "), c.display.clone()] {
        if extra.chars().count() > 3 {
            words.push(extra);
        }
    }
    for w in &words {
        let p = phrase(w);
        if !p.is_empty() {
            alts.push(p);
        }
    }
    for a in &c.abbreviations {
        let p = tm_lexicon::tokens(a)
            .into_iter()
            .map(|(_, r)| regex::escape(&a[r]))
            .collect::<Vec<_>>()
            .join(r"[\s\-/]+");
        if !p.is_empty() {
            alts.push(format!("(?-i:{p})"));
        }
    }
    alts.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    alts.dedup();
    alts.join("|")
}

/// The table: the hand patterns, then one entry per lexicon concept marked
/// `"compile": true` that has no hand pattern (unit and plausible range
/// the lexicon's). Order matters only for equal-length overlaps (first
/// wins). Built once at start-up.
pub static DEFS: LazyLock<Vec<ConceptDef>> = LazyLock::new(|| {
    let mut out: Vec<ConceptDef> = HAND
        .iter()
        .map(|h| ConceptDef {
            ids: h.ids,
            // a hand id the lexicon does not define is caught by the test
            // `every_id_is_a_lexicon_concept`
            cat: h
                .ids
                .first()
                .and_then(|id| cat_of(id))
                .unwrap_or(Cat::Condition),
            unit: h.unit,
            range: h.range,
            pattern: Cow::Borrowed(h.pattern),
        })
        .collect();
    for c in tm_lexicon::all().iter().filter(|c| c.compile) {
        if HAND.iter().any(|h| h.ids.contains(&c.id.as_str())) {
            continue;
        }
        let ids: &'static [&'static str] = Box::leak(Box::new([c.id.as_str()]));
        out.push(ConceptDef {
            ids,
            cat: cat_of(&c.id).unwrap_or(Cat::Condition),
            unit: c.unit.as_deref(),
            range: c.plausible.map_or((0.0, 0.0), |[lo, hi]| (lo, hi)),
            pattern: Cow::Owned(phrase_pattern(c)),
        });
    }
    out
});

/// The canonical UCUM unit of entry `def`: the lexicon's (`tm_lexicon`)
/// when it states one, else the table's.
pub fn canonical_unit(def: usize) -> Option<String> {
    let d = &DEFS[def];
    d.unit?;
    d.ids
        .first()
        .and_then(|id| tm_lexicon::get(id))
        .and_then(|c| c.unit.clone())
        .or_else(|| d.unit.map(str::to_string))
}

/// The plausible range of entry `def` in [`canonical_unit`]: the
/// intersection of the lexicon's and the table's when both are in that
/// unit (a lexicon low of 0 cannot tell 1.5/mm³ from 1,500/mm³), else
/// whichever is in that unit.
pub fn plausible_range(def: usize) -> (f64, f64) {
    let d = &DEFS[def];
    let canon = canonical_unit(def);
    let table = (d.unit.map(str::to_string) == canon).then_some(d.range);
    let lex = d
        .ids
        .first()
        .and_then(|id| tm_lexicon::get(id))
        .filter(|c| c.unit.is_some())
        .and_then(|c| c.plausible)
        .map(|[lo, hi]| (lo, hi));
    match (table, lex) {
        (Some(t), Some(l)) => (t.0.max(l.0), t.1.min(l.1)),
        (Some(t), None) => t,
        (None, Some(l)) => l,
        (None, None) => d.range,
    }
}

/// Lazy-DFA cache per regex: large enough that the cache is not cleared
/// and rebuilt over and over on a big corpus (the default 2 MB thrashes on
/// the case-insensitive Unicode patterns).
const DFA_CACHE: usize = 8 << 20;

/// A gate: an ASCII case-insensitive alternation of literal words (a
/// fast literal scan) run before a costlier regex that needs one of them.
pub(crate) fn gate(words: &[&str]) -> Regex {
    re_big(&format!("(?i-u){}", words.join("|"))).expect("gate regex")
}

/// Builds a regex with a large lazy-DFA cache ([`DFA_CACHE`]); all the
/// crate's static regexes go through it.
pub(crate) fn re_big(p: &str) -> Result<Regex, regex::Error> {
    regex::RegexBuilder::new(p)
        .dfa_size_limit(DFA_CACHE)
        .build()
}

/// The regex of one [`DEFS`] entry, as compiled into [`REGEXES`].
fn def_regex(d: &ConceptDef) -> Result<Regex, regex::Error> {
    // ASCII-only patterns use ASCII case folding and classes: the
    // literal prefilters then stay small (Unicode folding adds `ſ`,
    // `K` …), which makes the search several times faster.
    let flags = if d.pattern.is_ascii() {
        "(?i-u)"
    } else {
        "(?i)"
    };
    let p = format!(r"{flags}(?-u:\b)(?:{}){ABBR}", d.pattern);
    regex::RegexBuilder::new(&p)
        .dfa_size_limit(DFA_CACHE)
        .build()
}

/// Compiled regexes, one per [`DEFS`] entry. A pattern that does not
/// compile never matches here; the unit test `every_pattern_compiles`
/// makes that a test failure.
pub static REGEXES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    DEFS.iter()
        .map(|d| {
            def_regex(d).unwrap_or_else(|_| Regex::new(r"\A\z\A").expect("never-matching regex"))
        })
        .collect()
});

/// All patterns as one set: which entries can match at all.
static SET: LazyLock<regex::RegexSet> = LazyLock::new(|| {
    regex::RegexSetBuilder::new(REGEXES.iter().map(|r| r.as_str()))
        .dfa_size_limit(64 * DFA_CACHE)
        .build()
        .unwrap_or_else(|_| regex::RegexSet::empty())
});

/// Whether a mention's own text names its concept as absent: "non-iodized
/// oil chemoembolization" is TACE *without* lipiodol, compiled as
/// `Not { Has(tace_lipiodol) }` (seed 000 E11); "non-hepatocellular
/// carcinoma" is `Not { Has(hcc) }`; "unresectable" is
/// `Not { Has(resectable) }`.
pub fn negated_mention(text: &str) -> bool {
    let l = text.to_ascii_lowercase();
    [
        "non-iodi",
        "non iodi",
        "noniodi",
        "non-lipiodol",
        "non lipiodol",
        "non-hepatocellular",
        "non hepatocellular",
        "nonhepatocellular",
        "non-hcc",
        "non hcc",
        "unresectable",
        "non-resectable",
        "nonresectable",
        "not amenable",
    ]
    .iter()
    .any(|n| l.contains(n))
}

/// A concept mention in text.
#[derive(Debug, Clone)]
pub struct Mention {
    pub def: usize,
    pub start: usize,
    pub end: usize,
}

/// All non-overlapping concept mentions (longest first, then table order).
pub fn find_mentions(text: &str) -> Vec<Mention> {
    let mut all: Vec<Mention> = Vec::new();
    for i in SET.matches(text).iter() {
        let re = &REGEXES[i];
        for m in re.find_iter(text) {
            // Word boundary at the end for alphanumeric endings.
            let end_ok = text[m.end()..].chars().next().is_none_or(|c| {
                !c.is_alphanumeric() || !m.as_str().ends_with(|x: char| x.is_alphanumeric())
            });
            if !end_ok || m.is_empty() {
                continue;
            }
            // "non-hepatocellular carcinoma", "liver cancer-related": not the
            // condition itself.
            if matches!(DEFS[i].cat, Cat::Condition) {
                let from = text[..m.start()]
                    .char_indices()
                    .rev()
                    .nth(4)
                    .map_or(0, |(i, _)| i);
                let pre = text[from..m.start()].to_lowercase();
                if pre.ends_with("non-")
                    || pre.ends_with("non ")
                    || text[m.end()..].starts_with("-related")
                {
                    continue;
                }
            }
            // "gestational age", "bone age" are not the person's age.
            if DEFS[i].ids == ["age"] {
                let pre = text[..m.start()].trim_end().to_ascii_lowercase();
                if ["gestational", "gestation", "bone", "menstrual", "corrected"]
                    .iter()
                    .any(|w| pre.ends_with(w))
                {
                    continue;
                }
            }
            // "macroaggregated albumin" is not serum albumin.
            if DEFS[i].ids == ["albumin"]
                && text[..m.start()]
                    .char_indices()
                    .rev()
                    .nth(10)
                    .is_some_and(|(from, _)| {
                        text[from..m.start()]
                            .to_lowercase()
                            .ends_with("aggregated ")
                    })
            {
                continue;
            }
            all.push(Mention {
                def: i,
                start: m.start(),
                end: m.end(),
            });
        }
    }
    all.sort_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(a.def.cmp(&b.def))
            .then(a.start.cmp(&b.start))
    });
    let mut chosen: Vec<Mention> = Vec::new();
    for m in all {
        if chosen.iter().all(|c| m.end <= c.start || m.start >= c.end) {
            chosen.push(m);
        }
    }
    chosen.sort_by_key(|m| m.start);
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A broken pattern must fail loudly here, not silently become one
    /// that never matches (issue 18).
    #[test]
    fn every_pattern_compiles() {
        let broken: Vec<String> = DEFS
            .iter()
            .filter_map(|d| def_regex(d).err().map(|e| format!("{:?}: {e}", d.ids)))
            .collect();
        assert!(
            broken.is_empty(),
            "patterns that do not compile:\n{}",
            broken.join("\n")
        );
        assert_eq!(REGEXES.len(), DEFS.len());
        assert_eq!(SET.len(), DEFS.len(), "the pattern set must build");
    }

    /// Every concept id of the table is a lexicon concept, and the
    /// category the lexicon gives is one the table can use.
    #[test]
    fn every_id_is_a_lexicon_concept() {
        for h in HAND.iter() {
            for id in h.ids {
                assert!(
                    tm_lexicon::get(id).is_some(),
                    "hand pattern names {id}, which crates/lexicon/data does not define"
                );
            }
            // the ids of one entry share a category
            let cats: Vec<_> = h.ids.iter().map(|id| cat_of(id)).collect();
            assert!(cats.windows(2).all(|w| w[0] == w[1]), "{:?}", h.ids);
        }
    }

    /// A concept marked `"compile": true` is found by its phrases, case
    /// rules kept.
    #[test]
    fn phrase_entries_from_the_lexicon() {
        let ms = find_mentions("serum lipase ≤ 1.5 × ULN");
        assert_eq!(ms.len(), 1);
        assert_eq!(DEFS[ms[0].def].ids, ["lipase"]);
        assert_eq!(DEFS[ms[0].def].cat, Cat::Measure);
        assert_eq!(DEFS[ms[0].def].unit, Some("U/L"));
        assert_eq!(ms[0].start, 0);
        assert!(find_mentions("lipases").is_empty());
        let c = tm_lexicon::Lexicon::from_json(
            r#"[{"id":"xx_yy","kind":"lab","display":"X","synonyms":["foo-bar"],"abbreviations":["FB"]}]"#,
        )
        .unwrap();
        let p = phrase_pattern(&c.all()[0]);
        let re = Regex::new(&format!("(?i){p}")).unwrap();
        assert!(re.is_match("Foo bar") && re.is_match("XX yy") && re.is_match("FB"));
        assert!(!Regex::new(&format!("(?i)^(?:{p})$"))
            .unwrap()
            .is_match("fb"));
    }

    #[test]
    fn a_table_entry_finds_its_mention() {
        let ms = find_mentions("ANC ≥ 1.5 × 10^9/L");
        assert!(ms.iter().any(|m| DEFS[m.def].ids.contains(&"anc")));
    }
}

"""Generates the example FHIR R4 patients for the seed trials (examples/patients/seed*.json).

Run from anywhere: python3 examples/patients/generate_seed_patients.py
Codes follow docs/fhir-mapping.md (LOINC / SNOMED CT / the trialmatch CodeSystem).
"""
import os
import json, copy
TM="https://trialmatch.dev/fhir/CodeSystem/trialmatch"
LOINC="http://loinc.org"; SNOMED="http://snomed.info/sct"; UCUM="http://unitsofmeasure.org"
ICD10="http://hl7.org/fhir/sid/icd-10-cm"

def q(v,u): return {"value":v,"unit":u,"system":UCUM,"code":u}

class P:
    def __init__(s,pid,gender,birth):
        s.pid=pid; s.entries=[]; s.n=0
        s.add({"resourceType":"Patient","id":pid,"gender":gender,"birthDate":birth})
    def add(s,r): s.entries.append({"fullUrl":f"urn:uuid:{s.pid}-{len(s.entries)}","resource":r})
    def nid(s,p): s.n+=1; return f"{s.pid}-{p}{s.n}"
    def subj(s): return {"reference":f"Patient/{s.pid}"}
    def obs(s,code,disp,date,value=None,unit=None,loinc=None,ref=None,integer=None,boolean=None,coded=None,comparator=None,cat="laboratory"):
        coding=[]
        if loinc: coding.append({"system":LOINC,"code":loinc,"display":disp})
        coding.append({"system":TM,"code":code,"display":disp})
        r={"resourceType":"Observation","id":s.nid(code[:6]+"-"),"status":"final",
           "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":cat}]}],
           "code":{"coding":coding,"text":disp},"subject":s.subj(),"effectiveDateTime":date}
        if value is not None:
            r["valueQuantity"]=q(value,unit)
            if comparator: r["valueQuantity"]["comparator"]=comparator
        if integer is not None: r["valueInteger"]=integer
        if boolean is not None: r["valueBoolean"]=boolean
        if coded is not None: r["valueCodeableConcept"]=coded
        if ref: 
            rr={}
            if ref[0] is not None: rr["low"]=q(ref[0],unit)
            if ref[1] is not None: rr["high"]=q(ref[1],unit)
            r["referenceRange"]=[rr]
        s.add(r); return r
    def absent(s,code,disp,date):
        return s.obs(code,disp,date,boolean=False,cat="exam")
    def present(s,code,disp,date):
        return s.obs(code,disp,date,boolean=True,cat="exam")
    def lesion(s,label,site,cm,date,enhancing=None,treated=None,short=None):
        """A tumour lesion (docs/fhir-mapping.md "Lesion"): longest diameter, site, mRECIST components."""
        r=s.obs("lesion",f"Tumour lesion {label}",date,cm,"cm","21889-1",cat="imaging")
        r["bodySite"]={"text":site}; r["identifier"]=[{"value":label}]
        comps=[]
        if short is not None:
            comps.append({"code":{"coding":[{"system":TM,"code":"lesion_diameter"}]},"valueQuantity":q(short,"cm")})
        if enhancing is not None:
            comps.append({"code":{"coding":[{"system":TM,"code":"arterial_enhancement"}]},"valueBoolean":enhancing})
        if treated is not None:
            comps.append({"code":{"coding":[{"system":TM,"code":"previously_treated"}]},"valueBoolean":treated})
        if comps: r["component"]=comps
        return r
    def cond(s,code,disp,onset,snomed=None,icd=None,status="active"):
        coding=[]
        if snomed: coding.append({"system":SNOMED,"code":snomed,"display":disp})
        if icd: coding.append({"system":ICD10,"code":icd,"display":disp})
        coding.append({"system":TM,"code":code,"display":disp})
        s.add({"resourceType":"Condition","id":s.nid("cond-"),"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":status}]},
               "verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"}]},
               "code":{"coding":coding,"text":disp},"subject":s.subj(),"onsetDateTime":onset})
    def proc(s,code,disp,date,used=None,note=None):
        r={"resourceType":"Procedure","id":s.nid("proc-"),"status":"completed","code":{"coding":[{"system":TM,"code":code,"display":disp}],"text":disp},
           "subject":s.subj(),"performedDateTime":date}
        if used: r["usedCode"]=[{"text":used}]
        if note: r["note"]=[{"text":note}]
        s.add(r)
    def write(s,name,desc):
        b={"resourceType":"Bundle","id":s.pid,"type":"collection","meta":{"tag":[{"system":TM,"code":"example","display":desc}]},"entry":s.entries}
        json.dump(b,open(os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.json"),"w"),indent=1,ensure_ascii=False)

D="2025-02-20"  # lab date, as-of 2025-03-01
def hcc_base(pid, gender="male", birth="1962-05-14", **kw):
    p=P(pid,gender,birth)
    p.cond("hcc","Hepatocellular carcinoma","2024-11-02",snomed="25370001",icd="C22.0")
    p.cond("cirrhosis","Liver cirrhosis","2019-03-10",snomed="19943007",icd="K74.60")
    labs=dict(anc=3.2, platelets=145, hemoglobin=132, bili=0.9, alt=38, ast=42, alb=3.9, creat=0.9, inr=1.1, pt=12.6, aptt=31, lvef=62)
    labs.update(kw)
    p.obs("anc","Neutrophils [#/volume] in Blood by Automated count",D,labs["anc"],"10*9/L","751-8",(1.8,7.5))
    if labs["platelets"] is not None:
        p.obs("platelets","Platelets [#/volume] in Blood by Automated count",D,labs["platelets"],"10*9/L","777-3",(150,400))
    p.obs("hemoglobin","Hemoglobin [Mass/volume] in Blood",D,labs["hemoglobin"],"g/L","718-7",(130,170))
    p.obs("total_bilirubin","Bilirubin.total [Mass/volume] in Serum or Plasma",D,labs["bili"],"mg/dL","1975-2",(0.1,1.2))
    p.obs("alt","Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",D,labs["alt"],"U/L","1742-6",(7,55))
    p.obs("ast","Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",D,labs["ast"],"U/L","1920-8",(8,48))
    p.obs("albumin","Albumin [Mass/volume] in Serum or Plasma",D,labs["alb"],"g/dL","1751-7",(3.5,5.0))
    p.obs("creatinine","Creatinine [Mass/volume] in Serum or Plasma",D,labs["creat"],"mg/dL","2160-0",(0.7,1.3))
    p.obs("inr","INR in Platelet poor plasma by Coagulation assay",D,labs["inr"],"{INR}","6301-6",(0.8,1.2))
    p.obs("pt","Prothrombin time (PT)",D,labs["pt"],"s","5902-2",(9.5,13.8))
    p.obs("aptt","aPTT in Platelet poor plasma by Coagulation assay",D,labs["aptt"],"s","14979-9",(25,35))
    p.obs("afp","Alpha-1-Fetoprotein [Mass/volume] in Serum or Plasma",D,95,"ng/mL","1834-1",(0,10))
    if labs["lvef"] is not None:
        p.obs("lvef","Left ventricular Ejection fraction by US.2D+Calculated",D,labs["lvef"],"%","10230-1",cat="imaging")
    p.obs("weight","Body weight","2025-02-18",72,"kg","29463-7",cat="vital-signs")
    p.obs("height","Body height","2025-02-18",172,"cm","8302-2",cat="vital-signs")
    p.obs("ecog","ECOG performance status","2025-02-18",integer=0,loinc="89247-1",cat="survey")
    return p

def seed000_negatives(p, skip=()):
    neg=[("ascites","Ascites"),("hepatic_encephalopathy","Hepatic encephalopathy"),("extrahepatic_spread","Extrahepatic spread"),
         ("other_malignancy","Other malignancy"),("transfusion","Blood transfusion in the last 14 days"),("gcsf","G-CSF in the last 14 days"),
         ("decompensated_cirrhosis","Decompensated cirrhosis"),("gi_bleeding","Gastrointestinal haemorrhage"),("radiotherapy","Prior radiotherapy"),
         ("tace","Prior TACE"),("antitumor_therapy","Antitumour therapy in the last 30 days"),("clinical_trial_participation","Participation in another trial in the last 30 days"),
         ("hiv","HIV infection"),("pvtt","Portal vein tumour thrombus"),("contrast_allergy","Allergy to contrast media"),
         ("anesthetic_allergy","Allergy to anaesthetics"),("anticoagulant","Anticoagulant therapy (warfarin / heparin)"),("infection","Active infection requiring systemic therapy"),
         ("uncontrolled_disease","Disease not controlled despite treatment"),
         ("hepatic_artery_malformation","Hepatic artery anatomy precluding catheterisation (angiography)"),
         ("maa_incomplete_coverage","99mTc-MAA perfusion does not cover all liver lesions"),
         ("gi_shunting","Uncorrectable gastrointestinal shunting on 99mTc-MAA")]
    for c,d in neg:
        if c not in skip: p.absent(c,d,D)
    p.obs("hiv_test","HIV 1+2 Ab+Ag [Presence] in Serum","2025-02-10",coded={"coding":[{"system":SNOMED,"code":"260385009","display":"Negative"}],"text":"Negative"},loinc="75622-1")
    p.obs("tumour_burden_pct","Tumour burden (% of liver volume)","2025-02-12",18,"%",cat="imaging")
    p.obs("fev1_fvc","FEV1/FVC","2025-02-12",78,"%","19926-5",cat="exam")
    p.obs("fev1_pct_predicted","FEV1 % predicted","2025-02-12",92,"%",cat="exam")
    p.obs("mvv","Maximum voluntary ventilation","2025-02-12",95,"L/min",cat="exam")
    p.obs("life_expectancy","Estimated life expectancy","2025-02-18",12,"mo",cat="exam")
    p.obs("ctcae_grade","Worst persisting CTCAE grade of prior-therapy toxicity","2025-02-18",integer=0,cat="exam")
    # Baseline contrast MRI: one arterially enhancing target (mRECIST, I4).
    p.lesion("L1","liver segment VII",4.2,"2025-02-12",enhancing=True,treated=False)
    p.lesion("L2","liver segment VI",2.1,"2025-02-12",enhancing=True,treated=False)

def y90(p, lsf=6.1, act=2.2):
    p.obs("lung_shunt_fraction","Lung shunt fraction (99mTc-MAA)","2025-02-12",lsf,"%",cat="imaging")
    p.obs("planned_y90_activity","Planned Y-90 activity","2025-02-12",act,"GBq",cat="imaging")

# ---- seed 000 (NCT06310590, TareSphere SIRT) ----
p=hcc_base("seed000-eligible"); seed000_negatives(p); y90(p)
p.write("seed000-eligible","Seed 000: a candidate with every computable criterion met (remaining: consent/agreements, investigator items, unparsed text)")
p=hcc_base("seed000-child-pugh-8", bili=2.2, alb=3.1, inr=1.75, pt=16.0); seed000_negatives(p); y90(p)
p.write("seed000-child-pugh-8","Seed 000: Child-Pugh 8 (bilirubin 2 + albumin 2 + INR 2 + ascites 1 + encephalopathy 1) fails I5")
p=hcc_base("seed000-prior-tace"); seed000_negatives(p, skip=("tace","antitumor_therapy")); y90(p)
p.proc("tace","Transarterial chemoembolisation","2024-12-05",used="Lipiodol (ethiodised oil) with epirubicin",note="conventional TACE with lipiodol, segment VII")
p.write("seed000-prior-tace","Seed 000: prior conventional TACE with lipiodol (E11)")
p=hcc_base("seed000-lung-dose-35"); seed000_negatives(p); y90(p, lsf=17.62, act=4.0)
p.write("seed000-lung-dose-35","Seed 000: MAA lung shunt 17.62 % × 4.0 GBq → lung dose 35 Gy > 30 Gy (E14)")
p=hcc_base("seed000-platelets-60", platelets=60); seed000_negatives(p); y90(p)
p.write("seed000-platelets-60","Seed 000: platelets 60 × 10⁹/L < 80 (I8.1)")
p=hcc_base("seed000-lvef-missing", lvef=None); seed000_negatives(p); y90(p)
p.write("seed000-lvef-missing","Seed 000: no LVEF on record (I8.5 needs data)")

# ---- seed 002 (NCT04011033, iNKT) ----
def seed002(pid, inkt):
    p=hcc_base(pid, birth="1958-09-03")
    p.obs("bclc_stage","BCLC stage","2025-02-12",coded={"coding":[{"system":TM,"code":"bclc_b","display":"BCLC B"}],"text":"B"},cat="exam")
    p.obs("lymphocytes","Lymphocytes [#/volume] in Blood by Automated count",D,1.4,"10*9/L","731-0",(1.0,4.0))
    p.obs("wbc","Leukocytes [#/volume] in Blood by Automated count",D,5.6,"10*9/L","6690-2",(4.0,10.0))
    p.obs("inkt_cells","iNKT cells in PBMC",D,inkt,"/mL")
    p.obs("life_expectancy","Estimated life expectancy","2025-02-18",9,"mo",cat="exam")
    # MDT note: relapsed after prior TACE, no effective standard therapy (I2).
    p.present("standard_therapy_exhausted","Relapsed after previous therapy; no effective therapy known (MDT 2025-02-14)","2025-02-14")
    for c,d in [("hypertension","Hypertension"),("cardiovascular_disease","Heart disease"),("drug_allergy","Allergy to related drugs / immunotherapy"),("pvtt","Portal vein tumour thrombus"),("cns_metastases","CNS metastases"),("other_malignancy","Other malignancy"),
                ("chemotherapy","Chemotherapy in the last 4 weeks"),("targeted_therapy","Targeted therapy in the last 4 weeks"),("locoregional_therapy","Local therapy in the last 4 weeks"),
                ("radiotherapy","Radiotherapy in the last 4 weeks"),("hiv","HIV infection"),("syphilis","Syphilis"),("organ_transplant","Organ transplantation"),
                ("stem_cell_transplant","Stem cell transplantation"),("immunotherapy","Immunotherapy"),("ascites","Ascites"),("gi_bleeding","Gastrointestinal haemorrhage"),
                ("pleural_effusion","Pleural effusion"),("pericardial_effusion","Pericardial effusion"),("autoimmune_disease","Autoimmune disease"),("infection","Active infection")]:
        p.absent(c,d,D)
    return p
seed002("seed002-eligible", 42).write("seed002-eligible","Seed 002: iNKT 42 cells/mL, labs and history fine")
seed002("seed002-inkt-low", 6).write("seed002-inkt-low","Seed 002: peripheral iNKT 6 cells/mL (below 10, I5)")

# ---- seed 004 (Zhejiang, neoadjuvant) ----
def seed004(pid, birth="1968-01-20", hbv=None):
    p=hcc_base(pid, birth=birth, platelets=168, hemoglobin=138)
    p.obs("icg_r15","ICG retention rate at 15 minutes","2025-02-12",7.5,"%",cat="exam")
    p.obs("bclc_stage","BCLC stage","2025-02-12",coded={"coding":[{"system":TM,"code":"bclc_b","display":"BCLC B"}],"text":"B"},cat="exam")
    p.obs("life_expectancy","Estimated life expectancy","2025-02-18",24,"mo",cat="exam")
    p.obs("sbp","Systolic blood pressure","2025-02-18",128,"mm[Hg]","8480-6",cat="vital-signs")
    p.obs("dbp","Diastolic blood pressure","2025-02-18",79,"mm[Hg]","8462-4",cat="vital-signs")
    p.obs("glucose_fasting","Fasting glucose","2025-02-18",5.4,"mmol/L","1558-6")
    p.cond("hbv","Chronic hepatitis B","2009-06-01",snomed="61977001",icd="B18.1")
    p.obs("alp","Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma",D,98,"U/L","6768-6",(45,115))
    p.obs("ascites","Ascites","2025-02-12",coded={"text":"none"},cat="exam")
    p.obs("hepatic_encephalopathy","Hepatic encephalopathy (West Haven)","2025-02-12",coded={"text":"none"},cat="exam")
    p.obs("ctcae_grade","Worst persisting CTCAE grade of prior-therapy toxicity","2025-02-18",integer=0,cat="exam")
    p.absent("clinical_trial_participation","Participation in another clinical trial",D)
    # Hepatobiliary MDT: resectable (R0 margins, sufficient remnant) and fit for surgery (I3, I7, E3).
    p.present("resectable","Resectable disease (MDT: negative margins, sufficient remnant liver volume)","2025-02-14")
    p.present("fit_for_surgery","Fit for surgery (pre-operative anaesthesia assessment)","2025-02-14")
    for i,(d,seg) in enumerate([(5.5,"liver segment VII"),(3.2,"liver segment VI"),(2.1,"liver segment V")]):
        r=p.obs("lesion",f"Target lesion {i+1}","2025-02-12",d,"cm",cat="imaging")
        r["bodySite"]={"text":seg}
    if hbv is not None:
        p.obs("hbv_dna","HBV DNA [#/volume] (viral load) in Serum or Plasma by NAA with probe detection",D,hbv,"{copies}/mL","29615-2")
    p.obs("anti_hcv","Hepatitis C virus Ab [Presence] in Serum","2025-02-10",coded={"coding":[{"system":SNOMED,"code":"260385009","display":"Negative"}],"text":"Negative"},loinc="16128-1")
    for c,d in [("chemotherapy","Prior chemotherapy"),("radiotherapy","Prior radiotherapy"),("ablation","Prior radiofrequency ablation"),("locoregional_therapy","Prior interventional therapy"),
                ("targeted_therapy","Prior targeted therapy"),("immunotherapy","Prior immunotherapy"),("resection","Prior surgery for liver cancer"),("antitumor_therapy","Prior anti-tumour treatment"),
                ("corticosteroid","Systemic corticosteroids"),("immunosuppressant","Immunosuppressive therapy"),("bleeding_tendency","Bleeding tendency"),("anticoagulant","Anticoagulant treatment"),
                ("thrombolytic","Thrombolytic treatment"),("autoimmune_disease","Autoimmune disease"),("infection","Active infection"),("tuberculosis","Tuberculosis"),
                ("diabetes","Diabetes mellitus"),("lung_disease","Severe lung disease"),("interstitial_lung_disease","Interstitial lung disease"),("cardiovascular_disease","Cardiovascular disease"),
                ("hypertension","Hypertension"),("renal_replacement_therapy","Renal replacement therapy"),("other_malignancy","Other malignancy in the last 5 years"),
                ("alcohol_dependence","Alcohol dependence"),("mental_illness","Mental illness"),("drug_allergy","Allergy to components of the study drug")]:
        p.absent(c,d,D)
    return p
seed004("seed004-eligible", hbv=800).write("seed004-eligible","Seed 004: resectable BCLC B, HBV DNA 800 copies/mL on entecavir")
seed004("seed004-hbv-dna-5000", hbv=5000).write("seed004-hbv-dna-5000","Seed 004: HBV DNA 5000 copies/mL > 2000 (E4)")
seed004("seed004-age-76", birth="1948-10-02", hbv=800).write("seed004-age-76","Seed 004: age 76 at the index date (I1: 18–75)")
# ---- seed 003 (Bordeaux, intra-arterial hepatic 177Lu-PRRT in GEP-NET) ----
def seed003(pid, cycles=4, uptake=True):
    p=P(pid,"male","1966-04-11")
    p.cond("net","Well-differentiated neuroendocrine tumour of the small intestine (G2)","2021-06-15",snomed="255046005",icd="C7A.019")
    p.cond("liver_metastases","Secondary malignant neoplasm of liver","2021-06-15",snomed="94381002",icd="C78.7")
    p.proc("prrt","177Lu-DOTATATE (Lutathera) PRRT, cycle 4 of 4","2025-01-19")
    p.obs("anc","Neutrophils [#/volume] in Blood by Automated count",D,2.9,"10*9/L","751-8",(1.8,7.5))
    p.obs("platelets","Platelets [#/volume] in Blood by Automated count",D,132,"10*9/L","777-3",(150,400))
    p.obs("hemoglobin","Hemoglobin [Mass/volume] in Blood",D,118,"g/L","718-7",(130,170))
    p.obs("total_bilirubin","Bilirubin.total [Mass/volume] in Serum or Plasma",D,0.7,"mg/dL","1975-2",(0.1,1.2))
    p.obs("alt","Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",D,41,"U/L","1742-6",(7,55))
    p.obs("ast","Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",D,46,"U/L","1920-8",(8,48))
    p.obs("albumin","Albumin [Mass/volume] in Serum or Plasma",D,3.8,"g/dL","1751-7",(3.5,5.0))
    p.obs("creatinine","Creatinine [Mass/volume] in Serum or Plasma",D,1.0,"mg/dL","2160-0",(0.7,1.3))
    p.obs("inr","INR in Platelet poor plasma by Coagulation assay",D,1.0,"{INR}","6301-6",(0.8,1.2))
    p.obs("pt","Prothrombin time (PT)",D,12.1,"s","5902-2",(9.5,13.8))
    p.obs("lvef","Left ventricular Ejection fraction by US.2D+Calculated",D,58,"%","10230-1",cat="imaging")
    p.obs("weight","Body weight","2025-02-18",78,"kg","29463-7",cat="vital-signs")
    p.obs("height","Body height","2025-02-18",176,"cm","8302-2",cat="vital-signs")
    p.obs("ecog","ECOG performance status","2025-02-18",integer=1,loinc="89247-1",cat="survey")
    p.obs("prrt_cycles","177Lu-PRRT cycles received","2025-01-19",integer=cycles,cat="exam")
    p.obs("ascites","Ascites","2025-02-12",coded={"text":"none"},cat="exam")
    p.obs("hepatic_encephalopathy","Hepatic encephalopathy (West Haven)","2025-02-12",coded={"text":"none"},cat="exam")
    # Restaging after cycle 4: liver-dominant disease, measurable (RECIST 1.1), unresectable, residual uptake.
    p.lesion("L1","liver segment VIII",3.4,"2025-02-12",enhancing=True,treated=False)
    p.lesion("L2","liver segment IV",2.2,"2025-02-12",enhancing=True,treated=False)
    p.present("liver_dominant_metastases","Liver-dominant metastatic disease (MDT)","2025-02-14")
    p.present("ssa_progression","RECIST progression on lanreotide within 12 months (MDT 2025-02-14)","2025-02-14")
    p.absent("resectable","Resectable disease (MDT: not amenable to surgical resection)","2025-02-14")
    p.obs("sstr_uptake","Residual uptake on 177Lu post-therapy scintigraphy (24 h after cycle 4)","2025-01-20",boolean=uptake,cat="imaging")
    for c,d in [("complete_response","Complete response (RECIST 1.1)"),("extrahepatic_spread","Extrahepatic spread"),
                ("bleeding_tendency","Coagulation disorder"),("portal_vein_thrombosis","Portal vein thrombosis"),
                ("biliary_dilatation","Intrahepatic biliary dilatation"),("biliary_anastomosis","Bilio-enteric anastomosis or fistula"),
                ("heart_failure","Heart failure"),("myocardial_infarction","Myocardial infarction"),("stroke","Stroke"),
                ("hypertension","Arterial hypertension"),("pulmonary_embolism","Pulmonary embolism"),("unstable_angina","Unstable angina"),
                ("clinical_trial_participation","Participation in another research protocol"),("mri_contraindication","MRI contraindication"),
                ("lutathera_contraindication","Lutathera contraindicated"),("prrt_dose_limiting_toxicity","PRRT toxicity leading to dose reduction")]:
        p.absent(c,d,"2025-02-14")
    return p
seed003("seed003-eligible").write("seed003-eligible","Seed 003: GEP-NET liver-dominant metastases after 4 Lutathera cycles, residual uptake, unresectable")
seed003("seed003-no-residual-uptake", uptake=False).write("seed003-no-residual-uptake","Seed 003: no residual uptake on 177Lu scintigraphy (E2)")
print("ok")

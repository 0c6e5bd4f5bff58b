# Generates examples/response/sdtm-sumdiam: a small SDTM TU/TR set in the shape of a
# conforming oncology study (two evaluators, SUMDIAM summary rows, baseline visit BASELINE).
import csv, os
out = os.path.dirname(os.path.abspath(__file__)) if '__file__' in globals() else '.'
out = os.environ.get('OUT', out)
RAND = '2023-01-10'
VIS = [(1, 'BASELINE', '2023-01-05'), (2, 'WEEK 6', '2023-02-24'), (3, 'WEEK 12', '2023-04-07')]
INV = ('INVESTIGATOR', '')
R1 = ('INDEPENDENT ASSESSOR', 'RADIOLOGIST 1')
# subject -> arm, {evaluator: [visit measurements]}; a visit: (T01 liver LD, T02 node SA, NT01 state, new lesion diameter or None)
S = {
 'TM-001': ('ARM A', {INV: [(30, 18, 'PRESENT', None), (0, 8, 'ABSENT', None), (0, 7, 'ABSENT', None)],
                      R1:  [(31, 18, 'PRESENT', None), (0, 9, 'ABSENT', None), (0, 8, 'ABSENT', None)]}),
 'TM-002': ('ARM A', {INV: [(40, 20, 'PRESENT', None), (25, 14, 'PRESENT', None), (24, 13, 'PRESENT', None)],
                      R1:  [(40, 20, 'PRESENT', None), (30, 15, 'PRESENT', None), (30, 15, 'PRESENT', None)]}),
 'TM-003': ('ARM B', {INV: [(50, 20, 'PRESENT', None), (46, 20, 'PRESENT', None), (47, 21, 'PRESENT', None)],
                      R1:  [(50, 21, 'PRESENT', None), (47, 20, 'PRESENT', None), (48, 21, 'PRESENT', None)]}),
 'TM-004': ('ARM B', {INV: [(30, 20, 'PRESENT', None), (42, 22, 'PRESENT', None)],
                      R1:  [(30, 20, 'PRESENT', None), (43, 22, 'PRESENT', None)]}),
 'TM-005': ('ARM A', {INV: [(35, 15, 'PRESENT', None), (33, 15, 'PRESENT', 12)],
                      R1:  [(35, 15, 'PRESENT', None), (34, 15, 'PRESENT', 12)]}),
 'TM-006': ('ARM B', {INV: [(40, 20, 'PRESENT', None), (28, 12, 'PRESENT', None), (36, 15, 'PRESENT', None)],
                      R1:  [(40, 20, 'PRESENT', None), (28, 13, 'PRESENT', None), (36, 16, 'PRESENT', None)]}),
}
dm = [['STUDYID', 'DOMAIN', 'USUBJID', 'ARM', 'DTHDTC']]
ds = [['STUDYID', 'DOMAIN', 'USUBJID', 'DSDECOD', 'DSSTDTC']]
tu = [['STUDYID', 'DOMAIN', 'USUBJID', 'TUSEQ', 'TULNKID', 'TUTESTCD', 'TUORRES', 'TUSTRESC', 'TULOC', 'TUEVAL', 'TUEVALID', 'VISITNUM', 'VISIT', 'TUDTC']]
tr = [['STUDYID', 'DOMAIN', 'USUBJID', 'TRSEQ', 'TRGRPID', 'TRLNKID', 'TRTESTCD', 'TRTEST', 'TRORRES', 'TRORRESU', 'TRSTRESC', 'TRSTRESN', 'TRSTRESU', 'TREVAL', 'TREVALID', 'VISITNUM', 'VISIT', 'TRDTC']]
TEST = {'LDIAM': 'Longest Diameter', 'LPERP': 'Longest Perpendicular', 'DIAMETER': 'Diameter', 'TUMSTATE': 'Tumor State', 'SUMDIAM': 'Sum of Diameters'}
for subj, (arm, evs) in S.items():
    dm.append(['TMDEMO', 'DM', subj, arm, ''])
    ds.append(['TMDEMO', 'DS', subj, 'RANDOMIZED', RAND])
    tuseq = trseq = 0
    for ev, visits in evs.items():
        pre = 'R1-' if ev == R1 else ''
        # TU: the independent reader of TM-004 has no TU records of its own (its TR rows link
        # to the investigator's TULNKID).
        lesions = [('T01', 'TARGET', 'LIVER'), ('T02', 'TARGET', 'LYMPH NODE'), ('NT01', 'NON-TARGET', 'LUNG')]
        if not (ev == R1 and subj == 'TM-004'):
            for lid, cat, loc in lesions:
                tuseq += 1
                tu.append(['TMDEMO', 'TU', subj, tuseq, lid, 'TUMIDENT', cat, cat, loc, ev[0], ev[1], 1, 'BASELINE', VIS[0][2]])
        for vi, (ld, sa, nt, new) in enumerate(visits):
            vnum, vname, dtc = VIS[vi]
            grp = '' if (ev == R1 and subj == 'TM-004') else 'TARGET'
            def row(grp, lid, code, val):
                global trseq
                trseq += 1
                num = val if isinstance(val, (int, float)) else ''
                unit = 'mm' if num != '' else ''
                tr.append(['TMDEMO', 'TR', subj, trseq, grp, lid, code, TEST[code], val, unit, val, num, unit, ev[0], ev[1], vnum, vname, dtc])
            row(grp, 'T01', 'LDIAM', ld)
            row(grp, 'T01', 'LPERP', round(ld * 0.7))
            row(grp, 'T02', 'LDIAM', sa + 8)
            row(grp, 'T02', 'LPERP', sa)
            row('NON-TARGET' if grp else '', 'NT01', 'TUMSTATE', nt)
            if new is not None:
                lid = 'NEW01'
                tuseq += 1
                tu.append(['TMDEMO', 'TU', subj, tuseq, lid, 'TUMIDENT', 'NEW', 'NEW', 'LIVER', ev[0], ev[1], vnum, vname, dtc])
                row('NEW', lid, 'TUMSTATE', 'PRESENT')
                row('NEW', lid, 'DIAMETER', new)
            # The summary record: no TRLNKID.
            row('TARGET', '', 'SUMDIAM', ld + sa)
for name, rows in [('dm', dm), ('ds', ds), ('tu', tu), ('tr', tr)]:
    with open(os.path.join(out, name + '.csv'), 'w', newline='') as f:
        csv.writer(f, lineterminator='\n').writerows(rows)

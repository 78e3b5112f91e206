from django.urls import path

from agencies.api import RoutingSuggestApi
from reports.api import nearby, public, staff
from reports.ledger import api as ledger

app_name = "api"

urlpatterns = [
    path("categories/", public.CategoryListApi.as_view(), name="categories"),
    path("reports/", public.ReportCreateApi.as_view(), name="report-create"),
    # Before the tracking-code routes, which would take "nearby" for a code.
    path("cases/nearby/", nearby.NearbyCasesApi.as_view(), name="cases-nearby"),
    path("cases/<str:tracking_code>/", public.PublicCaseApi.as_view(), name="case"),
    path("cases/<str:tracking_code>/rate/", public.CaseRateApi.as_view(), name="case-rate"),
    path("cases/<str:tracking_code>/reopen/", public.CaseReopenApi.as_view(), name="case-reopen"),
    path("cases/<str:tracking_code>/verify/", staff.CaseVerifyApi.as_view(), name="case-verify"),
    path("cases/<str:tracking_code>/reject/", staff.CaseRejectApi.as_view(), name="case-reject"),
    path("cases/<str:tracking_code>/merge/", staff.CaseMergeApi.as_view(), name="case-merge"),
    path("cases/<str:tracking_code>/assign/", staff.CaseAssignApi.as_view(), name="case-assign"),
    path("cases/<str:tracking_code>/note/", staff.CaseNoteApi.as_view(), name="case-note"),
    path("cases/<str:tracking_code>/accept/", staff.CaseAcceptApi.as_view(), name="case-accept"),
    path("cases/<str:tracking_code>/return/", staff.CaseReturnApi.as_view(), name="case-return"),
    path("cases/<str:tracking_code>/progress/", staff.CaseProgressApi.as_view(), name="case-progress"),
    path("cases/<str:tracking_code>/resolve/", staff.CaseResolveApi.as_view(), name="case-resolve"),
    path("cases/<str:tracking_code>/reveal-reporter/", staff.RevealReporterApi.as_view(), name="case-reveal-reporter"),
    path("staff/cases/", staff.StaffCaseListApi.as_view(), name="staff-cases"),
    path("staff/cases/<str:tracking_code>/", staff.StaffCaseApi.as_view(), name="staff-case"),
    path("staff/triage/", staff.TriageListApi.as_view(), name="staff-triage"),
    path("routing/suggest/", RoutingSuggestApi.as_view(), name="routing-suggest"),
    path("ledger/key/", ledger.LedgerKeyApi.as_view(), name="ledger-key"),
    path("ledger/checkpoints/", ledger.CheckpointListApi.as_view(), name="ledger-checkpoints"),
    path("ledger/leaves/", ledger.LeafRangeApi.as_view(), name="ledger-leaves"),
    path("ledger/proof/inclusion/", ledger.InclusionProofApi.as_view(), name="ledger-inclusion"),
    path("ledger/proof/consistency/", ledger.ConsistencyProofApi.as_view(), name="ledger-consistency"),
]

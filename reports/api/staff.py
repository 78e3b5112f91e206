"""The staff API: the centre's and the agencies' lists, case detail and every life-cycle step.

A case is looked up with selectors.case_for_staff, so a code of a case the user may not see is a 404; the
service then decides whether this user may take this step in this state (403 / 409).
"""

from django.db.models import Q
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics
from rest_framework.response import Response

from .. import selectors, services
from ..serializers import (
    AcceptInputSerializer,
    AssignInputSerializer,
    MergeInputSerializer,
    NoteInputSerializer,
    ProgressInputSerializer,
    RejectInputSerializer,
    ResolveInputSerializer,
    ReturnInputSerializer,
    RevealedReporterSerializer,
    StaffCaseFilterSerializer,
    StaffCaseSerializer,
    StaffCaseSummarySerializer,
    TriageCaseSerializer,
    VerifyInputSerializer,
)
from .common import (
    INVALID_INPUT,
    INVALID_STATE,
    NOT_ALLOWED,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    IsOperator,
    StaffApi,
    validated,
)

TAGS = ["staff"]
LIST_ERRORS = {400: INVALID_INPUT, 401: NOT_AUTHENTICATED, 403: NOT_ALLOWED}
STEP_RESPONSES = {
    200: StaffCaseSerializer,
    400: INVALID_INPUT,
    401: NOT_AUTHENTICATED,
    403: NOT_ALLOWED,
    404: NOT_FOUND,
    409: INVALID_STATE,
}


def staff_case_data(user, case):
    events = selectors.events_visible_to(user, case)
    # Media hangs on events: a file sent with an event this user may not see stays hidden with it.
    media = case.media.filter(Q(event__isnull=True) | Q(event__in=events.values("pk")))
    return StaffCaseSerializer(case, context={"events": events, "media": media}).data


@extend_schema_view(
    get=extend_schema(
        operation_id="staff_cases_list",
        tags=TAGS,
        summary="Cases this user may work on: all for the centre, its own for an agency",
        parameters=[StaffCaseFilterSerializer],
        responses={200: StaffCaseSummarySerializer(many=True), **LIST_ERRORS},
    )
)
class StaffCaseListApi(StaffApi, generics.ListAPIView):
    serializer_class = StaffCaseSummarySerializer

    def get_queryset(self):
        filters = validated(StaffCaseFilterSerializer, self.request.query_params)
        cases = selectors.cases_visible_to(self.request.user)
        if "state" in filters:
            cases = cases.filter(state=filters["state"])
        if "category" in filters:
            cases = cases.filter(category__code=filters["category"])
        if "agency" in filters:
            cases = cases.filter(agency__code=filters["agency"])
        return cases.order_by("-created_at", "-pk")


@extend_schema_view(
    get=extend_schema(
        operation_id="staff_triage_list",
        tags=TAGS,
        summary="The centre's triage queue: returned cases first, then the oldest",
        responses={200: TriageCaseSerializer(many=True), **LIST_ERRORS},
    )
)
class TriageListApi(StaffApi, generics.ListAPIView):
    permission_classes = [IsOperator]
    serializer_class = TriageCaseSerializer

    def get_queryset(self):
        return selectors.triage_queue()


class StaffCaseApi(StaffApi):
    @extend_schema(
        operation_id="staff_cases_retrieve",
        tags=TAGS,
        summary="A case with every event this user may see (internal notes included)",
        responses={200: StaffCaseSerializer, 401: NOT_AUTHENTICATED, 403: NOT_ALLOWED, 404: NOT_FOUND},
    )
    def get(self, request, tracking_code):
        case = selectors.case_for_staff(request.user, tracking_code)
        return Response(staff_case_data(request.user, case))


class CaseStepApi(StaffApi):
    """One life-cycle step: subclasses name the input serializer and call one service in `step`."""

    input_serializer: type

    def step(self, *, case, by, data):
        raise NotImplementedError

    def post(self, request, tracking_code):
        case = selectors.case_for_staff(request.user, tracking_code)
        data = validated(self.input_serializer, request.data)
        case = self.step(case=case, by=request.user, data=data)
        return Response(staff_case_data(request.user, case))


def step_schema(operation_id, summary, serializer, *, multipart=False):
    request = {"application/json": serializer}
    if multipart:
        request["multipart/form-data"] = serializer
    return extend_schema_view(
        post=extend_schema(
            operation_id=operation_id, tags=TAGS, summary=summary, request=request, responses=STEP_RESPONSES
        )
    )


@step_schema("cases_verify", "Centre: the report is real (optionally in another category)", VerifyInputSerializer)
class CaseVerifyApi(CaseStepApi):
    input_serializer = VerifyInputSerializer

    def step(self, *, case, by, data):
        return services.case_verify(case=case, by=by, category=data.get("category"), note=data["note"])


@step_schema("cases_reject", "Centre: the report is not a case (reason shown publicly)", RejectInputSerializer)
class CaseRejectApi(CaseStepApi):
    input_serializer = RejectInputSerializer

    def step(self, *, case, by, data):
        return services.case_reject(case=case, by=by, reason=data["reason"])


@step_schema("cases_merge", "Centre: the case duplicates another one", MergeInputSerializer)
class CaseMergeApi(CaseStepApi):
    input_serializer = MergeInputSerializer

    def step(self, *, case, by, data):
        return services.case_merge(case=case, into=data["into"], by=by, note=data["note"])


@step_schema("cases_assign", "Centre: route the case to an agency", AssignInputSerializer)
class CaseAssignApi(CaseStepApi):
    input_serializer = AssignInputSerializer

    def step(self, *, case, by, data):
        return services.case_assign(
            case=case, agency=data["agency"], by=by, priority=data.get("priority"), note=data["note"]
        )


@step_schema("cases_note", "Centre or the case's agency: add an internal note", NoteInputSerializer)
class CaseNoteApi(CaseStepApi):
    input_serializer = NoteInputSerializer

    def step(self, *, case, by, data):
        services.case_add_note(case=case, by=by, note=data["note"])
        return case


@step_schema("cases_accept", "Agency: take the case on", AcceptInputSerializer)
class CaseAcceptApi(CaseStepApi):
    input_serializer = AcceptInputSerializer

    def step(self, *, case, by, data):
        return services.case_accept(case=case, by=by, note=data["note"])


@step_schema("cases_return", "Agency: the case is not ours; back to the centre", ReturnInputSerializer)
class CaseReturnApi(CaseStepApi):
    input_serializer = ReturnInputSerializer

    def step(self, *, case, by, data):
        return services.case_return(case=case, by=by, reason=data["reason"])


@step_schema("cases_progress", "Agency: report progress (photos optional)", ProgressInputSerializer, multipart=True)
class CaseProgressApi(CaseStepApi):
    input_serializer = ProgressInputSerializer

    def step(self, *, case, by, data):
        return services.case_progress(
            case=case, by=by, note=data["note"], is_public=data["is_public"], uploads=data.get("media", ())
        )


@step_schema(
    "cases_resolve", "Agency: the problem is resolved (photos optional)", ResolveInputSerializer, multipart=True
)
class CaseResolveApi(CaseStepApi):
    input_serializer = ResolveInputSerializer

    def step(self, *, case, by, data):
        return services.case_resolve(case=case, by=by, note=data["note"], uploads=data.get("media", ()))


class RevealReporterApi(StaffApi):
    @extend_schema(
        operation_id="cases_reveal_reporter",
        tags=TAGS,
        summary="Centre, with permission: the reporter's contact details (every call is logged on the case)",
        description="The only endpoint that ever returns a reporter's name, phone or email. Empty strings when "
        "the reporter gave none.",
        request=None,
        responses={200: RevealedReporterSerializer, 401: NOT_AUTHENTICATED, 403: NOT_ALLOWED, 404: NOT_FOUND},
    )
    def post(self, request, tracking_code):
        case = selectors.case_for_staff(request.user, tracking_code)
        reporter = services.reporter_reveal(case=case, by=request.user)
        details = reporter if reporter is not None else {"name": "", "phone": "", "email": ""}
        response = Response(RevealedReporterSerializer(details).data)
        # Personal data: no cache on the way may keep a copy.
        response["Cache-Control"] = "no-store"
        return response

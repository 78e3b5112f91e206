"""The public ledger API under /api/v1/ledger/: the public key, signed checkpoints, leaves, and proofs.

Anyone may read it, without an account: what it serves is public by construction (leaves hold no personal data).
The proof functions are plain functions too, so the site's self-check (self_check.py) asks the database the same
questions the verifier asks over HTTP.
"""

import base64

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api.common import validated
from ..models import LedgerCheckpoint, LedgerLeaf
from ..serializers import ErrorSerializer
from . import leaves, merkle

TAGS = ["ledger"]
MAX_LEAVES = 1000

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not in the ledger (yet), or a tree size beyond it.")
BAD_INPUT = OpenApiResponse(description='Invalid input: a list of messages per parameter, e.g. {"end": ["..."]}.')


# --- reads ------------------------------------------------------------------------------------------------------


def leaf_count() -> int:
    return leaves.ledger_size()


def latest_checkpoint():
    return LedgerCheckpoint.objects.order_by("-tree_size").first()


def public_key() -> dict:
    from . import checkpoints

    origin, key = checkpoints.ledger_origin(), checkpoints.ledger_public_key()
    return {
        "public_key": base64.b64encode(key).decode(),
        "key_id": checkpoints.note_key_id(origin, key),
        "origin": origin,
        "verifier_key": checkpoints.verifier_key(origin, key),
        "algorithm": "Ed25519",
    }


def _tree(size: int) -> merkle.Tree:
    if size > leaf_count():
        raise NotFound(_("The ledger has only %(count)d leaves.") % {"count": leaf_count()})
    return leaves.ledger_tree(size)


def inclusion_data(index: int, size: int) -> dict:
    """Where leaf `index` sits in the tree of `size` leaves: its hash, audit path and that tree's root."""
    tree = _tree(size)
    if index >= size:
        raise NotFound(_("That leaf is not in the tree of this size (yet)."))
    return {
        "index": index,
        "size": size,
        "leaf_hash": tree.leaf(index).hex(),
        "audit_path": [node.hex() for node in tree.inclusion_proof(index, size)],
        "root_hash": tree.root(size).hex(),
    }


def consistency_data(first: int, second: int) -> dict:
    """Why the tree of `first` leaves is a prefix of the tree of `second` leaves."""
    tree = _tree(second)
    return {
        "first": first,
        "second": second,
        "consistency_path": [node.hex() for node in tree.consistency_proof(first, second)],
        "first_root": tree.root(first).hex(),
        "second_root": tree.root(second).hex(),
    }


# --- serializers ------------------------------------------------------------------------------------------------


class KeySerializer(serializers.Serializer):
    public_key = serializers.CharField(help_text="The centre's Ed25519 public key, 32 bytes, base64.")
    key_id = serializers.CharField(help_text="The C2SP key id (4 bytes, hex), repeated on each checkpoint.")
    origin = serializers.CharField(help_text="The ledger's name, first line of every checkpoint.")
    verifier_key = serializers.CharField(help_text="The same key as a C2SP signed-note verifier key.")
    algorithm = serializers.CharField()


class CheckpointSerializer(serializers.ModelSerializer):
    root_hash_base64 = serializers.SerializerMethodField(help_text="The same root hash, base64 as in the text.")

    class Meta:
        model = LedgerCheckpoint
        fields = ["tree_size", "root_hash", "root_hash_base64", "origin", "text", "signature", "key_id", "signed_at"]
        extra_kwargs = {
            "root_hash": {"help_text": "RFC 6962 root of the first tree_size leaves, hex."},
            "text": {"help_text": "The exact text signed: origin, tree size, base64 root and time, one per line."},
            "signature": {"help_text": "Ed25519 signature over the UTF-8 bytes of text, base64."},
        }

    def get_root_hash_base64(self, checkpoint) -> str:
        return base64.b64encode(bytes.fromhex(checkpoint.root_hash)).decode()


class CheckpointListSerializer(serializers.Serializer):
    latest = CheckpointSerializer(allow_null=True, help_text="The latest checkpoint; null before the first.")
    public_key = serializers.CharField()
    key_id = serializers.CharField()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CheckpointSerializer(many=True, help_text="Every checkpoint, largest tree first.")


class LeafSerializer(serializers.ModelSerializer):
    class Meta:
        model = LedgerLeaf
        fields = ["index", "data", "leaf_hash"]
        extra_kwargs = {
            "data": {"help_text": "The canonical JSON of the public event, as hashed."},
            "leaf_hash": {"help_text": "SHA-256(0x00 || UTF-8 bytes of data), hex."},
        }


class LeafRangeSerializer(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    tree_size = serializers.IntegerField(help_text="How many leaves the ledger holds now.")
    leaves = LeafSerializer(many=True)


class LeafRangeInputSerializer(serializers.Serializer):
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)

    def validate(self, data):
        if data["end"] <= data["start"]:
            raise serializers.ValidationError({"end": [_("The end must be greater than the start.")]})
        if data["end"] - data["start"] > MAX_LEAVES:
            raise serializers.ValidationError({"end": [_("At most %(max)d leaves per request.") % {"max": MAX_LEAVES}]})
        count = leaf_count()
        if data["end"] > count:
            raise serializers.ValidationError({"end": [_("The ledger has only %(count)d leaves.") % {"count": count}]})
        return data


class InclusionInputSerializer(serializers.Serializer):
    event = serializers.IntegerField(min_value=1, required=False)
    index = serializers.IntegerField(min_value=0, required=False)
    size = serializers.IntegerField(min_value=1, required=False)

    def validate(self, data):
        if ("event" in data) == ("index" in data):
            raise serializers.ValidationError(_("Give either an event or a leaf index."))
        return data


class InclusionSerializer(serializers.Serializer):
    event = serializers.IntegerField(allow_null=True, help_text="The case event this leaf records.")
    index = serializers.IntegerField()
    size = serializers.IntegerField()
    leaf_hash = serializers.CharField()
    audit_path = serializers.ListField(child=serializers.CharField(), help_text="RFC 9162 inclusion proof, hex.")
    root_hash = serializers.CharField(help_text="The root of the tree of this size, hex.")


class ConsistencyInputSerializer(serializers.Serializer):
    first = serializers.IntegerField(min_value=1)
    second = serializers.IntegerField(min_value=1, required=False)

    def validate(self, data):
        if "second" in data and data["first"] > data["second"]:
            raise serializers.ValidationError({"first": [_("The first size must not exceed the second.")]})
        return data


class ConsistencySerializer(serializers.Serializer):
    first = serializers.IntegerField()
    second = serializers.IntegerField()
    consistency_path = serializers.ListField(child=serializers.CharField(), help_text="RFC 9162 proof, hex.")
    first_root = serializers.CharField()
    second_root = serializers.CharField()


# --- views ------------------------------------------------------------------------------------------------------


class LedgerApi(APIView):
    # Public reads: no session, hence no CSRF and no personal state.
    authentication_classes: list = []
    permission_classes: list = []


class CheckpointPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


def _latest_size() -> int:
    latest = latest_checkpoint()
    if latest is None:
        raise NotFound(_("No checkpoint has been signed yet."))
    return latest.tree_size


class LedgerKeyApi(LedgerApi):
    @extend_schema(
        operation_id="ledger_key",
        tags=TAGS,
        summary="The public key checkpoints are signed with",
        responses={200: KeySerializer},
    )
    def get(self, request):
        return Response(KeySerializer(public_key()).data)


class CheckpointListApi(LedgerApi):
    @extend_schema(
        operation_id="ledger_checkpoints",
        tags=TAGS,
        summary="The latest signed checkpoint and every earlier one",
        description="Each checkpoint's text is signed with the Ed25519 key given here (and at ledger/key/); a "
        "verifier should hold that key from elsewhere too. Paginated with page and page_size (at most 1,000).",
        parameters=[
            OpenApiParameter("page", int, description="Page number, from 1."),
            OpenApiParameter("page_size", int, description="Checkpoints per page (default 100, at most 1,000)."),
        ],
        responses={200: CheckpointListSerializer, 404: OpenApiResponse(ErrorSerializer, description="No such page.")},
    )
    def get(self, request):
        queryset = LedgerCheckpoint.objects.order_by("-tree_size")
        paginator = CheckpointPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        key = public_key()
        return Response(
            {
                "latest": CheckpointSerializer(latest_checkpoint()).data if queryset.exists() else None,
                "public_key": key["public_key"],
                "key_id": key["key_id"],
                "count": paginator.page.paginator.count,
                "next": paginator.get_next_link(),
                "previous": paginator.get_previous_link(),
                "results": CheckpointSerializer(page, many=True).data,
            }
        )


class LeafRangeApi(LedgerApi):
    @extend_schema(
        operation_id="ledger_leaves",
        tags=TAGS,
        summary="The leaves [start, end) of the ledger",
        description="At most 1,000 per request. Each leaf's hash is SHA-256 of 0x00 and its data: recompute it.",
        parameters=[
            OpenApiParameter("start", int, required=True, description="First index, from 0."),
            OpenApiParameter("end", int, required=True, description="One past the last index."),
        ],
        responses={200: LeafRangeSerializer, 400: BAD_INPUT},
    )
    def get(self, request):
        data = validated(LeafRangeInputSerializer, request.query_params)
        rows = LedgerLeaf.objects.filter(index__gte=data["start"], index__lt=data["end"]).order_by("index")
        return Response(
            {
                "start": data["start"],
                "end": data["end"],
                "tree_size": leaf_count(),
                "leaves": LeafSerializer(rows.only("index", "data", "leaf_hash"), many=True).data,
            }
        )


class InclusionProofApi(LedgerApi):
    @extend_schema(
        operation_id="ledger_proof_inclusion",
        tags=TAGS,
        summary="Proof that a case event (or leaf) is in the tree of a given size",
        parameters=[
            OpenApiParameter("event", int, description="A public case event's id (or give index)."),
            OpenApiParameter("index", int, description="A leaf index (or give event)."),
            OpenApiParameter("size", int, description="The tree size; by default the latest checkpoint's."),
        ],
        responses={200: InclusionSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request):
        data = validated(InclusionInputSerializer, request.query_params)
        if "event" in data:
            index = LedgerLeaf.objects.filter(event_id=data["event"]).values_list("index", flat=True).first()
            if index is None:
                raise NotFound(_("This event is not in the ledger (yet)."))
            event = data["event"]
        else:
            index = data["index"]
            event = LedgerLeaf.objects.filter(index=index).values_list("event_id", flat=True).first()
        size = data.get("size") or _latest_size()
        return Response(InclusionSerializer({"event": event, **inclusion_data(index, size)}).data)


class ConsistencyProofApi(LedgerApi):
    @extend_schema(
        operation_id="ledger_proof_consistency",
        tags=TAGS,
        summary="Proof that the tree of size first is a prefix of the tree of size second",
        parameters=[
            OpenApiParameter("first", int, required=True, description="The older tree size, from 1."),
            OpenApiParameter("second", int, description="The newer tree size; by default the latest checkpoint's."),
        ],
        responses={200: ConsistencySerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    def get(self, request):
        data = validated(ConsistencyInputSerializer, request.query_params)
        second = data.get("second") or _latest_size()
        if data["first"] > second:
            raise NotFound(_("The first size is beyond the latest checkpoint."))
        return Response(ConsistencySerializer(consistency_data(data["first"], second)).data)

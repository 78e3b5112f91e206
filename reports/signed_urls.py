"""Short-lived signed links to an original file, for the reporter who has no account: a link names one media
item, works without signing in until MEDIA_SIGNED_URL_SECONDS have passed, and nothing else."""

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.urls import reverse

# The query parameter that carries the signature, and the salt that keeps these signatures apart from every
# other use of SECRET_KEY (a session cookie or another signed value can never pass for one of these).
PARAMETER = "signature"
_SALT = "reports.media_original"


def _signer():
    return signing.TimestampSigner(salt=_SALT)


def signed_original_url(media):
    """The path of `media`'s original with a signature bound to its id and to now."""
    # Only the timestamp and the signature travel: the id is already in the path and is signed with them.
    signer = _signer()
    signature = signer.sign(str(media.pk)).split(signer.sep, 1)[1]
    return f"{reverse('reports:media_original', args=[media.pk])}?{urlencode({PARAMETER: signature})}"


def has_valid_signature(request, media):
    """Whether the request carries an unexpired signature made for this media item."""
    signature = request.GET.get(PARAMETER, "")
    if not signature:
        return False
    signer = _signer()
    try:
        signer.unsign(f"{media.pk}{signer.sep}{signature}", max_age=settings.MEDIA_SIGNED_URL_SECONDS)
    except signing.BadSignature:
        # SignatureExpired is a BadSignature too: a late link is as good as a forged one.
        return False
    return True


def presigned_original_url(media, filename):
    """A link straight to the original in object storage, valid for MEDIA_SIGNED_URL_SECONDS; None when the storage
    cannot sign links (local disk), and the file is streamed instead. Call only after the permission check."""
    from storages.backends.s3 import S3Storage

    storage = media.original.storage
    if not isinstance(storage, S3Storage):
        return None
    return storage.url(
        media.original.name,
        parameters={
            "ResponseContentType": media.content_type,
            "ResponseContentDisposition": f'inline; filename="{filename}"',
        },
        expire=settings.MEDIA_SIGNED_URL_SECONDS,
    )

app_name = "open311"

# Every endpoint answers in the format its extension names: .json or .xml.
FMT = r"(?P<fmt>json|xml)"

urlpatterns: list = []

"""The staff roles (DESIGN.md, "Staff groups") and the permissions each one holds.

The groups are made by a data migration; a later change of this table needs a new
migration that calls `sync_roles` again. Staff in no group hold no permission, so the
admin shows them nothing they could use. Superusers hold every permission (editors).

A permission says what kind of change a role makes; which records it may make it to
(a reporter's own drafts, a claim they did not write) is decided by the services.
"""

REPORTER = "Reporter"
VERIFIER = "Verifier"
EDITOR = "Editor"

_REFERENCE_VIEW = [
    "view_agreement",
    "view_meeting",
    "view_person",
    "view_party",
    "view_topic",
    "view_correction",
]

# Codenames in the desk app, per role. The Editor holds every permission of the desk
# app, of rest_framework_api_key (partner API keys) and of delivery (webhook endpoints).
ROLE_PERMISSIONS: dict[str, list[str]] = {
    REPORTER: [
        "add_source",
        "change_source",
        "delete_source",  # their own drafts only (services.source_delete)
        "view_source",
        "add_claim",
        "change_claim",
        "delete_claim",  # their own drafts only (services.claim_delete)
        "view_claim",
        "submit_claim",
        "add_evidence",
        "change_evidence",
        "delete_evidence",
        "view_evidence",
        *_REFERENCE_VIEW,
    ],
    VERIFIER: [
        "view_source",
        "change_source",  # drafts only; a published text is corrected by an editor
        "publish_source",  # publishing, never retracting: only editors retract
        "change_claim",
        "view_claim",
        "submit_claim",
        "review_claim",
        "publish_claim",
        "view_claimforreview",
        "change_claimforreview",
        "add_evidence",
        "change_evidence",
        "delete_evidence",
        "view_evidence",
        *_REFERENCE_VIEW,
    ],
}
EDITOR_APPS = ("desk", "rest_framework_api_key", "delivery")


def sync_roles(apps) -> None:
    """Create the three groups and give each exactly its permissions."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after migrations; make them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        try:
            create_permissions(app_config, apps=apps, verbosity=0)
        finally:
            app_config.models_module = original

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLE_PERMISSIONS.items():
        found = Permission.objects.filter(content_type__app_label="desk", codename__in=codenames)
        missing = set(codenames) - set(found.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Role {name}: no such permissions {sorted(missing)}")
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(found)
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.set(Permission.objects.filter(content_type__app_label__in=EDITOR_APPS))

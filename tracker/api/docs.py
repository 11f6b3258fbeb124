"""The browsable docs at /api/docs/: Swagger UI from the sidecar package (served by
us, no CDN), under the site's Content-Security-Policy. drf-spectacular's page has an
inline <script> and <style>; our template gives both the request's CSP nonce."""

from drf_spectacular.views import SpectacularSwaggerView


class SwaggerView(SpectacularSwaggerView):
    template_name = "api/swagger_ui.html"
    title = "Policy Desk Tracker API"

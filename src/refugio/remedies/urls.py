from django.urls import path

from refugio.remedies import views

app_name = "remedies"
urlpatterns = [
    path("households/<uuid:household_id>/", views.household_page, name="household"),
    path("households/<uuid:household_id>/orders/new/", views.order_add, name="order_add"),
    path("households/<uuid:household_id>/mpp/new/", views.mpp_add, name="mpp_add"),
    path("mpp/<int:mpp_case_id>/", views.mpp_edit, name="mpp_edit"),
    path("orders/<int:removal_order_id>/motion/", views.motion_draft, name="motion_draft"),
    path("motions/<int:reopen_motion_id>/file/", views.motion_file, name="motion_file"),
    path("motions/<int:reopen_motion_id>/decide/", views.motion_decide, name="motion_decide"),
    path("motions/<int:reopen_motion_id>/draft.docx", views.motion_download, name="motion_download"),
]

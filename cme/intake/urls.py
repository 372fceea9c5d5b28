from django.urls import path

from cme.intake import directory_views, public_views, views

# Included at the site root. Ids (and the public page's LA code) only in these addresses: never a
# name, a date of birth, a UPN or a reference someone was given.
urlpatterns = [
    path("tell-us/", public_views.referral_public_index, name="referral_public_index"),
    path("tell-us/<str:la_code>/", public_views.referral_public, name="referral_public"),
    path(
        "tell-us/<str:la_code>/sent/",
        public_views.referral_public_sent,
        name="referral_public_sent",
    ),
    path("referrals/", views.referral_queue, name="referral_queue"),
    path("referrals/new/", views.referral_new, name="referral_new"),
    path("referrals/mine/", views.referral_mine, name="referral_mine"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path(
        "referrals/<int:pk>/link-case/<int:case_pk>/",
        views.referral_link_case,
        name="referral_link_case",
    ),
    path(
        "referrals/<int:pk>/link-child/<int:child_pk>/",
        views.referral_link_child,
        name="referral_link_child",
    ),
    path("referrals/<int:pk>/open-case/", views.referral_open_case, name="referral_open_case"),
    path("referrals/<int:pk>/close/", views.referral_close, name="referral_close"),
    path("directory/", directory_views.directory, name="directory"),
    path("directory/cme-contacts/add/", directory_views.cme_contact_add, name="cme_contact_add"),
    path(
        "directory/cme-contacts/<int:pk>/",
        directory_views.cme_contact_change,
        name="cme_contact_change",
    ),
    path(
        "directory/cme-contacts/<int:pk>/remove/",
        directory_views.cme_contact_remove,
        name="cme_contact_remove",
    ),
    path(
        "directory/agencies/<int:agency_pk>/contacts/add/",
        directory_views.agency_contact_add,
        name="agency_contact_add",
    ),
    path(
        "directory/agency-contacts/<int:pk>/",
        directory_views.agency_contact_change,
        name="agency_contact_change",
    ),
    path(
        "directory/agency-contacts/<int:pk>/remove/",
        directory_views.agency_contact_remove,
        name="agency_contact_remove",
    ),
    path("sweeps/", directory_views.sweep_list, name="sweep_list"),
    path("sweeps/add/", directory_views.sweep_add, name="sweep_add"),
    path("sweeps/<int:pk>/", directory_views.sweep_detail, name="sweep_detail"),
    path("sweeps/<int:pk>/children/add/", directory_views.sweep_child_add, name="sweep_child_add"),
]

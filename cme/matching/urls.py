from django.urls import path

from cme.matching import views

urlpatterns = [
    path("find/", views.find_child, name="matching_find"),
    path("review/", views.review_queue, name="matching_review"),
    path("review/reconcile/", views.review_reconcile, name="matching_reconcile"),
    path("review/<int:pk>/", views.proposal_detail, name="matching_proposal"),
    path("review/<int:pk>/accept/", views.proposal_accept, name="matching_accept"),
    path("review/<int:pk>/reject/", views.proposal_reject, name="matching_reject"),
    path("model/", views.model_detail, name="matching_model"),
]

"""Projects, their collaborators, tasks, comments and interactions."""

from __future__ import annotations

from rest_framework import serializers

from makerspace.api.serializers.common import ID, UserSummarySerializer
from makerspace.models import Project, ProjectCollaborator, ProjectComment, ProjectMilestone, ProjectTask
from makrx.api import fields


def _tag():
    return serializers.CharField(max_length=50)


class ProjectInputSerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(**ID)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True, default="")
    visibility = serializers.ChoiceField(choices=Project.Visibility.choices, default=Project.Visibility.PRIVATE)
    status = serializers.ChoiceField(choices=Project.Status.choices, default=Project.Status.IDEA)
    tags = serializers.ListField(child=_tag(), max_length=20, required=False, default=list)


class ProjectUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=20000, required=False, allow_blank=True)
    visibility = serializers.ChoiceField(choices=Project.Visibility.choices, required=False)
    status = serializers.ChoiceField(choices=Project.Status.choices, required=False)
    tags = serializers.ListField(child=_tag(), max_length=20, required=False)


class ProjectOutputSerializer(serializers.ModelSerializer):
    owner = UserSummarySerializer(read_only=True)
    makerspace_name = serializers.CharField(source="makerspace.name", read_only=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    cover_image = serializers.ImageField(read_only=True, allow_null=True, use_url=True)
    like_count = serializers.IntegerField(read_only=True)
    liked = serializers.BooleanField(read_only=True)
    bookmarked = serializers.BooleanField(read_only=True)
    featured = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "owner",
            "makerspace",
            "makerspace_name",
            "title",
            "description",
            "cover_image",
            "visibility",
            "status",
            "tags",
            "featured",
            "featured_at",
            "forked_from",
            "view_count",
            "like_count",
            "liked",
            "bookmarked",
            "created_at",
            "updated_at",
        ]

    def get_featured(self, obj) -> bool:
        return obj.featured_at is not None


class TrendingProjectSerializer(ProjectOutputSerializer):
    trending_score = serializers.IntegerField(read_only=True)
    recent_likes = serializers.IntegerField(read_only=True)
    recent_views = serializers.IntegerField(read_only=True)

    class Meta(ProjectOutputSerializer.Meta):
        fields = [*ProjectOutputSerializer.Meta.fields, "trending_score", "recent_likes", "recent_views"]


class ForkInputSerializer(serializers.Serializer):
    makerspace = serializers.IntegerField(required=False, help_text="Default: the original's makerspace.", **ID)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class FeatureInputSerializer(serializers.Serializer):
    featured = serializers.BooleanField(default=True)


class LikeOutputSerializer(serializers.Serializer):
    liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


class BookmarkOutputSerializer(serializers.Serializer):
    bookmarked = serializers.BooleanField()


class CollaboratorInputSerializer(serializers.Serializer):
    user = serializers.IntegerField(**ID)
    role = serializers.ChoiceField(choices=ProjectCollaborator.Role.choices, default=ProjectCollaborator.Role.VIEWER)


class CollaboratorOutputSerializer(serializers.ModelSerializer):
    user = UserSummarySerializer(read_only=True)
    invited_by = UserSummarySerializer(read_only=True, allow_null=True)
    pending = serializers.SerializerMethodField()

    class Meta:
        model = ProjectCollaborator
        fields = ["id", "user", "role", "invited_by", "accepted_at", "pending", "created_at"]

    def get_pending(self, obj) -> bool:
        return obj.accepted_at is None


class CommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)
    parent = serializers.IntegerField(required=False, allow_null=True, **ID)


class CommentUpdateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)


class CommentOutputSerializer(serializers.ModelSerializer):
    author = UserSummarySerializer(read_only=True)
    body = serializers.SerializerMethodField()
    removed = serializers.SerializerMethodField()

    class Meta:
        model = ProjectComment
        fields = ["id", "parent", "author", "body", "removed", "edited_at", "created_at"]

    def get_body(self, obj) -> str:
        return "" if obj.removed_at else obj.body

    def get_removed(self, obj) -> bool:
        return obj.removed_at is not None


class TaskInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    assignee = serializers.IntegerField(required=False, allow_null=True, **ID)
    due_date = fields.DateField(required=False, allow_null=True)


class TaskUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    status = serializers.ChoiceField(choices=ProjectTask.Status.choices, required=False)
    due_date = fields.DateField(required=False, allow_null=True)


class TaskOutputSerializer(serializers.ModelSerializer):
    assignee = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = ProjectTask
        fields = ["id", "title", "assignee", "due_date", "status", "milestone", "created_at", "updated_at"]


class MilestoneInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_date = fields.DateField(required=False, allow_null=True)


class MilestoneUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    due_date = fields.DateField(required=False, allow_null=True)
    completed = serializers.BooleanField(required=False)


class MilestoneOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectMilestone
        fields = ["id", "title", "due_date", "completed_at", "created_at"]

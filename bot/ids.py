"""Every action_id, callback_id and block_id the bot uses, in one place.

Listeners match on these and block builders emit them, so a rename can never leave the two out of
step. Add a member to the enum of your feature (or a new enum) rather than writing a literal.
Values are stable: Slack sends them back in interactions with messages and views already posted.
"""

from __future__ import annotations

from enum import StrEnum

LADDER_COMMAND = "/ladder"


class MetadataEvent(StrEnum):
    """event_type of the message metadata the bot attaches to its own posts, so that after an answer
    that failed it can look in the conversation and find whether Slack posted the message anyway."""

    PROMPT = "growthbot_prompt"  # payload {"prompt_id": N}
    EVIDENCE_SAVED = "growthbot_evidence_saved"  # payload {"evidence_id": N}


class Callback(StrEnum):
    """Modal callback_ids and shortcut callback_ids."""

    ONBOARDING = "onboarding"
    SAVE_AS_EVIDENCE = "save_as_evidence"  # message shortcut "Save as growth evidence"
    FORGET = "forget_confirm"
    EVIDENCE = "evidence_modal"  # add evidence (from a prompt, App Home or `/ladder log`)
    SAVE_AS_EVIDENCE_CONFIRM = "save_as_evidence_confirm"  # the shortcut's confirm-and-tag modal
    RETAG = "evidence_retag"
    DIGEST_NOTE = "digest_note"
    DISPUTE = "evidence_dispute"  # the manager's "doesn't show this" comment modal
    DISPUTE_REPLY = "evidence_dispute_reply"  # the engineer's reply to a dispute
    ONE_ON_ONE = "one_on_one"
    CHECKIN_PAGE = "checkin_page"  # one page (an area, or part of a big one) of a check-in's ratings
    PROMOTION = "promotion_confirm"  # the confirmation modal of `/ladder promote` and the Promote button
    FOCUS = "focus_choose"  # App Home's focus modal


class HomeAction(StrEnum):
    START_SETUP = "home_start_setup"
    EDIT_SETUP = "home_edit_setup"
    LOG_EVIDENCE = "home_log_evidence"
    PAUSE_PROMPTS = "home_pause_prompts"
    RESUME_PROMPTS = "home_resume_prompts"


class AccessLogAction(StrEnum):
    """`/ladder access` paging; the value is `{"p": person id, "c": cursor}`, re-checked against the clicker."""

    OLDER = "access_log_older"
    NEWEST = "access_log_newest"


class HomeBlock(StrEnum):
    ACTIONS = "home_actions"
    SCHEDULE_ACTIONS = "home_schedule_actions"
    DISPUTED = "home_disputed"  # + ":<evidence id>": one disputed item's "Change tag"


class OnboardingBlock(StrEnum):
    FRAMEWORK = "onboarding_framework"
    TRACK = "onboarding_track"
    LEVEL = "onboarding_level"
    OVERRIDES_TEXT = "onboarding_overrides"
    # One optional select per area, block_id = AREA_PREFIX + area id (see `area_block_id`).
    AREA_PREFIX = "onboarding_area:"
    WEEKDAY = "onboarding_weekday"
    TIME = "onboarding_time"
    MANAGER = "onboarding_manager"


class OnboardingAction(StrEnum):
    FRAMEWORK = "onboarding_framework_select"
    TRACK = "onboarding_track_select"
    LEVEL = "onboarding_level_select"
    OVERRIDES_TEXT = "onboarding_overrides_input"
    AREA_LEVEL = "onboarding_area_level_select"
    WEEKDAY = "onboarding_weekday_select"
    TIME = "onboarding_time_picker"
    MANAGER = "onboarding_manager_select"


class DigestAction(StrEnum):
    FLAG = "digest_flag_item"  # value: evidence id
    UNFLAG = "digest_unflag_item"  # value: evidence id
    ADD_NOTE = "digest_add_note"  # value: digest id, or "" for an on-demand preview
    # The manager's quick sign-off menu on a behaviour with new evidence; option value: a verdict or
    # "dispute"; the block id names the person, the behaviour and the cited evidence (all re-checked).
    SIGN_OFF = "digest_sign_off"


class DigestBlock(StrEnum):
    NOTE = "digest_note_text"
    # Preview items: block_id = ITEM_PREFIX + running number (unique per message).
    ITEM_PREFIX = "digest_item:"
    # Manager's digest: block_id = prefix + "<person id>:<behaviour id>:<evidence ids, comma-separated>".
    SIGN_OFF_PREFIX = "dso:"
    VERDICT_PREFIX = "dsv:"  # the verdict line under it, same suffix
    PREVIEW_INTRO = "digest_preview_intro"  # the one block the preview adds to the manager's digest


class DisputeAction(StrEnum):
    COMMENT = "dispute_comment_input"
    REPLY = "dispute_reply"  # the engineer's DM: value "<evidence id>:<behaviour id>"
    REPLY_TEXT = "dispute_reply_input"


class DisputeBlock(StrEnum):
    COMMENT = "dispute_comment"
    ACTIONS = "dispute_actions"
    REPLY_TEXT = "dispute_reply_text"


class DigestNoteAction(StrEnum):
    TEXT = "digest_note_input"


class OneOnOneAction(StrEnum):
    OPEN = "one_on_one_open"  # App Home: opens the 1:1 modal
    REPORT = "one_on_one_report_select"
    WEEKDAY = "one_on_one_weekday_select"
    TIME = "one_on_one_time_picker"
    CADENCE = "one_on_one_cadence_select"


class OneOnOneBlock(StrEnum):
    REPORT = "one_on_one_report"
    WEEKDAY = "one_on_one_weekday"
    TIME = "one_on_one_time"
    CADENCE = "one_on_one_cadence"


class CheckinAction(StrEnum):
    OPEN = "checkin_open"  # "Start rating" / "Continue check-in"; value: check-in id (re-checked)
    VERDICT = "checkin_verdict_radio"
    COMMENT = "checkin_comment_input"
    EVIDENCE = "checkin_evidence_select"


class CheckinBlock(StrEnum):
    # One of each per behaviour on a page: block_id = prefix + behaviour id (see `checkin_block_id`).
    VERDICT_PREFIX = "checkin_verdict:"
    COMMENT_PREFIX = "checkin_comment:"
    EVIDENCE_PREFIX = "checkin_evidence:"
    HOME = "checkin_home"


def checkin_block_id(prefix: CheckinBlock, behaviour_id: str) -> str:
    return f"{prefix}{behaviour_id}"


class ConsentAction(StrEnum):
    ACCEPT = "consent_accept"  # value: manager link id
    DECLINE = "consent_decline"  # value: manager link id


class PromptAction(StrEnum):
    """Buttons on the prompt DM; every value is the prompt id (re-checked against the clicking user)."""

    ADD_EVIDENCE = "prompt_add_evidence"
    NOTHING_THIS_WEEK = "prompt_nothing_this_week"
    SNOOZE = "prompt_snooze_day"
    PAUSE = "prompt_pause"
    RESUME = "prompt_resume"
    RESUME_ON = "prompt_resume_on"  # datepicker on a paused prompt


class PromptBlock(StrEnum):
    ACTIONS = "prompt_actions"
    PAUSED_ACTIONS = "prompt_paused_actions"


class EvidenceAction(StrEnum):
    RETAG = "evidence_retag"  # value: evidence id
    # The saved-confirmation's suggestion (bot.services.tag_suggestions); value: "{evidence id}:{behaviour id}"
    SUGGESTED_INSTEAD = "evidence_suggested_instead"
    SUGGESTED_BOTH = "evidence_suggested_both"
    SUGGESTED_KEEP = "evidence_suggested_keep"
    TEXT = "evidence_text_input"
    LINK = "evidence_link_input"
    BEHAVIOURS = "evidence_behaviours_select"
    SEARCH = "evidence_behaviours_search"  # external select over the whole ladder (options listener)


class EvidenceBlock(StrEnum):
    TEXT = "evidence_text"
    LINK = "evidence_link"
    BEHAVIOURS = "evidence_behaviours"
    SEARCH = "evidence_behaviours_search"
    RETAG_ACTIONS = "evidence_retag_actions"
    SUGGESTION_ACTIONS = "evidence_suggestion_actions"


class BackoffAction(StrEnum):
    """Buttons on the back-off DMs; only the clicking person's own schedule changes."""

    FORTNIGHTLY = "backoff_fortnightly"
    MONTHLY = "backoff_monthly"
    PAUSE = "backoff_pause"
    KEEP = "backoff_keep"  # keep the cadence, or go back to the one the back-off slowed


class BackoffBlock(StrEnum):
    ACTIONS = "backoff_actions"


class FocusAction(StrEnum):
    OPEN = "focus_open"  # App Home's "Choose focus" button
    SELECT = "focus_select"  # the focus modal's checkboxes (values: behaviour ids, re-checked)


class FocusBlock(StrEnum):
    SELECT = "focus_select"


class PromotionAction(StrEnum):
    OPEN = "promotion_open"  # Promote button on a ready area; value: PromotionTarget JSON (re-checked)


class PromotionBlock(StrEnum):
    ACTIONS = "promotion_actions"


def area_block_id(area_id: str) -> str:
    return f"{OnboardingBlock.AREA_PREFIX}{area_id}"


def area_from_block_id(block_id: str) -> str | None:
    prefix = OnboardingBlock.AREA_PREFIX.value
    return block_id[len(prefix) :] if block_id.startswith(prefix) else None

"""腾讯云短信 (Tencent Cloud SMS) over its HTTP API, with the standard library only.

API: 腾讯云 API 3.0, action `SendSms`, version **2021-01-11** (the 短信 API document
《发送短信》 SendSms, 2021-01-11 version, and 《公共参数》), POST JSON to sms.tencentcloudapi.com
(settings.SMS_ENDPOINT, so a test points it at a local fake server). Request fields used:
PhoneNumberSet (E.164, "+86…"), SmsSdkAppId, SignName, TemplateId, TemplateParamSet (the
template's variables {1}, {2} … in order) and SessionContext (echoed back; we put our message
id there). The answer: Response.SendStatusSet[i] with Code ("Ok" when the provider took it),
Message and SerialNo (the provider's message id), or Response.Error {Code, Message}.

Signing: 《签名方法 v3》 (TC3-HMAC-SHA256; the same page in every API 3.0 product's 调用方式):
    CanonicalRequest = "POST\\n/\\n\\n" + canonical headers (lower-case `name:value\\n`, sorted)
                       + "\\n" + signed header names ("content-type;host;x-tc-action")
                       + "\\n" + hex(SHA256(body))
    StringToSign     = "TC3-HMAC-SHA256\\n" + timestamp + "\\n" + date/"sms"/"tc3_request"
                       + "\\n" + hex(SHA256(CanonicalRequest))
    key              = HMAC(HMAC(HMAC("TC3" + SecretKey, date), "sms"), "tc3_request")
    Authorization    = "TC3-HMAC-SHA256 Credential=SecretId/date/sms/tc3_request,
                        SignedHeaders=…, Signature=" + hex(HMAC(key, StringToSign))
with `date` the UTC date of the X-TC-Timestamp header. `tc3_signature` is checked against the
worked example of that document in renda/core/tests/test_sms_tencent.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from .backends import (
    AmbiguousError,
    OutboundSms,
    PermanentError,
    SendResult,
    TransientError,
)

ACTION = "SendSms"
VERSION = "2021-01-11"
SERVICE = "sms"
ALGORITHM = "TC3-HMAC-SHA256"
# Error codes the provider documents as temporary (公共错误码 and the SMS error codes): busy,
# internal errors, the account's request rate. Everything else is a refusal for good.
TRANSIENT_CODES = ("InternalError", "RequestLimitExceeded", "ResourceUnavailable")


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()


def tc3_signature(
    *,
    secret_key: str,
    service: str,
    timestamp: int,
    method: str,
    query: str,
    headers: dict[str, str],
    payload: bytes,
) -> tuple[str, str]:
    """(signature, signed header names) for a request; `headers` are the signed ones."""
    date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
    canonical = {k.lower().strip(): v.strip() for k, v in headers.items()}
    names = sorted(canonical)
    canonical_headers = "".join(f"{name}:{canonical[name].lower()}\n" for name in names)
    signed_headers = ";".join(names)
    canonical_request = "\n".join(
        [method, "/", query, canonical_headers, signed_headers, hashlib.sha256(payload).hexdigest()]
    )
    scope = f"{date}/{service}/tc3_request"
    string_to_sign = "\n".join(
        [ALGORITHM, str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = _hmac(_hmac(_hmac(f"TC3{secret_key}".encode(), date), service), "tc3_request")
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    return signature, signed_headers


def _param(kind: str, value: str) -> str:
    # A free-text message carries its own 【signature】; the provider adds the signature itself.
    if kind == "text" and value.startswith("【") and "】" in value:
        return value.split("】", 1)[1]
    return value


class TencentSmsBackend:
    name = "tencent"

    def __init__(self) -> None:
        self.endpoint = settings.SMS_ENDPOINT
        self.secret_id = settings.SMS_SECRET_ID
        self.secret_key = settings.SMS_SECRET_KEY
        self.app_id = settings.SMS_SDK_APP_ID
        self.region = settings.SMS_REGION
        self.timeout = settings.SMS_TIMEOUT_SECONDS
        if urlsplit(self.endpoint).scheme not in ("https", "http"):
            raise PermanentError("SMS_ENDPOINT 应以 https:// 开头")

    def request(
        self, message: OutboundSms, *, timestamp: int | None = None
    ) -> urllib.request.Request:
        if not (self.secret_id and self.secret_key and self.app_id):
            raise PermanentError("未配置腾讯云短信密钥或应用（SMS_SECRET_ID/KEY、SMS_SDK_APP_ID）")
        if not message.template_id:
            raise PermanentError(f"未配置短信模板（SMS_TEMPLATE_{message.kind.upper()}）")
        body = {
            "PhoneNumberSet": [f"+86{message.mobile}"],
            "SmsSdkAppId": self.app_id,
            "SignName": message.sign_name,
            "TemplateId": message.template_id,
            "TemplateParamSet": [_param(message.kind, p) for p in message.params],
            "SessionContext": f"renda-sms-{message.message_id}",
        }
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = int(time.time()) if timestamp is None else timestamp
        signed = {
            "Content-Type": "application/json; charset=utf-8",
            "Host": urlsplit(self.endpoint).netloc,
            "X-TC-Action": ACTION,
        }
        signature, signed_headers = tc3_signature(
            secret_key=self.secret_key,
            service=SERVICE,
            timestamp=timestamp,
            method="POST",
            query="",
            headers=signed,
            payload=payload,
        )
        date = dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d")
        authorization = (
            f"{ALGORITHM} Credential={self.secret_id}/{date}/{SERVICE}/tc3_request, "
            f"SignedHeaders={signed_headers}, Signature={signature}"
        )
        headers = {
            **signed,
            "Authorization": authorization,
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Version": VERSION,
            "X-TC-Region": self.region,
        }
        # The endpoint's scheme is checked in __init__ (http or https only).
        return urllib.request.Request(  # noqa: S310
            self.endpoint, data=payload, headers=headers, method="POST"
        )

    def send(self, message: OutboundSms) -> SendResult:
        request = self.request(message)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            if error.code >= 500 or error.code == 429:
                raise TransientError(f"服务商暂不可用（HTTP {error.code}）") from error
            raise PermanentError(f"服务商拒绝请求（HTTP {error.code}）") from error
        except urllib.error.URLError as error:
            # Raised while connecting or sending: the provider never had the whole request.
            raise TransientError(f"无法连接服务商：{error.reason}") from error
        except (TimeoutError, ConnectionError, http.client.HTTPException) as error:
            # The request went out but the answer did not come back.
            raise AmbiguousError(f"服务商未应答：{error!r}") from error
        return self._result(raw)

    @staticmethod
    def _result(raw: bytes) -> SendResult:
        try:
            answer: dict[str, Any] = json.loads(raw)["Response"]
        except (ValueError, KeyError, TypeError) as exc:
            raise AmbiguousError("服务商应答无法解析") from exc
        refusal = answer.get("Error")
        if refusal:
            code = str(refusal.get("Code", ""))
            text = f"{code}：{refusal.get('Message', '')}"[:280]
            if code.startswith(TRANSIENT_CODES):
                raise TransientError(text)
            raise PermanentError(text)
        statuses = answer.get("SendStatusSet") or []
        if not statuses:
            raise AmbiguousError("服务商应答中没有发送结果")
        status = statuses[0]
        code = str(status.get("Code", ""))
        if code == "Ok":
            return SendResult(provider_message_id=str(status.get("SerialNo", "")))
        text = f"{code}：{status.get('Message', '')}"[:280]
        if code.startswith(TRANSIENT_CODES):
            raise TransientError(text)
        raise PermanentError(text)

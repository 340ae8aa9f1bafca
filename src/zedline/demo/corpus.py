"""What demo requests say: support conversations of an IT department, an online shop and a
service centre. Placeholders in braces are filled per ticket (see `VOCABULARY`)."""

from __future__ import annotations

from dataclasses import dataclass

# Who writes a line of a conversation: the client, an operator in public, an internal note.
CLIENT = "c"
OPERATOR = "o"
NOTE = "i"


@dataclass(frozen=True)
class RequestTemplate:
    theme: str
    subject: str
    description: str
    # The follow-up exchanges, in order; a ticket still being worked shows only the first few.
    exchanges: tuple[tuple[str, str], ...]
    # The operator's last word when the request is solved.
    solution: str


VOCABULARY: dict[str, tuple[str, ...]] = {
    "device": (
        "Dell Latitude 5440",
        "Lenovo ThinkPad T14",
        "HP EliteBook 840",
        "MacBook Air M2",
        "Surface Laptop 5",
        "HP LaserJet Pro M404",
        "Canon i-SENSYS MF445",
        "Brother HL-L2350",
        "Samsung Galaxy S23",
        "iPhone 14",
        "Dell OptiPlex 7010",
        "Logitech MX Keys",
    ),
    "app": (
        "Outlook",
        "Teams",
        "the VPN client",
        "SAP GUI",
        "1C:Enterprise",
        "Zoom",
        "the CRM",
        "Excel",
        "the accounting system",
        "Chrome",
        "OneDrive",
        "Slack",
    ),
    "product": (
        'Aurora 55" 4K TV',
        "Breeze X2 robot vacuum",
        "Nordic oak desk",
        "Volt 20000 power bank",
        "Pulse ANC headphones",
        "Barista Pro coffee machine",
        "Trail 3 running shoes",
        "Atlas ergonomic chair",
        "Frost 300 fridge",
        "Spark 12 electric kettle",
        "Orbit smart watch",
        "Cloud duvet 200x220",
    ),
    "code": (
        "0x80070005",
        "ERR_CONNECTION_RESET",
        "0xC004F074",
        "AADSTS50076",
        "HTTP 502",
        "SSL_ERROR_BAD_CERT_DOMAIN",
        "0x8024402C",
        "ORA-12541",
        "809",
        "0x80190001",
    ),
    "carrier": ("DHL", "UPS", "DPD", "FedEx", "GLS", "the postal service"),
    "city": (
        "Berlin",
        "Lisbon",
        "Warsaw",
        "Prague",
        "Vienna",
        "Madrid",
        "Riga",
        "Milan",
        "Tallinn",
        "Lyon",
        "Porto",
        "Munich",
    ),
    "os": ("Windows 11", "Windows 10", "macOS 14", "Ubuntu 22.04", "Android 14", "iOS 17"),
    "room": ("2.14", "3.05", "the open space on floor 4", "1.22", "the meeting room Orion"),
}

# Words that depend on the kind of support: an appliance shows other codes than a laptop.
THEME_VOCABULARY: dict[str, dict[str, tuple[str, ...]]] = {
    "service": {"code": ("E13", "F07", "E21", "F05", "E-1024", "H20", "E4", "F28")},
}

TEMPLATES: tuple[RequestTemplate, ...] = (
    # -- IT department -------------------------------------------------------------------
    RequestTemplate(
        "it",
        "Cannot connect to the VPN: error {code}",
        "Since this morning I cannot connect to the VPN from home. The client shows {code} "
        "right after I enter my password. I restarted the laptop ({device}, {os}) twice.",
        (
            (
                OPERATOR,
                (
                    "Thank you, {name}. Could you tell me whether you are on your home "
                    "Wi-Fi or on a mobile hotspot, and send a screenshot of the error?"
                ),
            ),
            (CLIENT, "Home Wi-Fi. Screenshot attached. It worked fine yesterday evening."),
            (
                NOTE,
                (
                    "Certificate on the gateway was renewed last night; clients with the old "
                    "profile fail with {code}. Pushing the new profile."
                ),
            ),
            (
                OPERATOR,
                (
                    "We renewed the gateway certificate last night. Please open the VPN "
                    "client, choose Settings → Update profile, then connect again."
                ),
            ),
            (CLIENT, "Updated the profile and I am connected. Thanks!"),
        ),
        "Glad it works. I am closing this request; write here if it happens again.",
    ),
    RequestTemplate(
        "it",
        "Outlook keeps asking for my password",
        "Outlook asks for my password every few minutes and does not accept it, although "
        "webmail works with the same password.",
        (
            (
                OPERATOR,
                (
                    "Did you change your password recently? If so, Windows may still keep "
                    "the old one in the Credential Manager."
                ),
            ),
            (CLIENT, "Yes, last Friday."),
            (
                OPERATOR,
                (
                    "Please open Credential Manager, remove every entry that starts with "
                    "MicrosoftOffice16, and restart Outlook. It will ask once more and then stop."
                ),
            ),
            (CLIENT, "That did it, no more prompts."),
        ),
        "Great. Closing the request.",
    ),
    RequestTemplate(
        "it",
        "Printer in room {room} prints blank pages",
        "The {device} in room {room} feeds paper but every page comes out blank. Colleagues "
        "have the same problem.",
        (
            (
                OPERATOR,
                (
                    "Thanks for reporting. Does the printer show any message on its "
                    "display, for example about the toner?"
                ),
            ),
            (CLIENT, "It says the toner is low, but it said that for weeks."),
            (NOTE, "Toner cartridge for {device} ordered, delivery tomorrow."),
            (
                OPERATOR,
                (
                    "The toner is empty after all. A new cartridge arrives tomorrow and we "
                    "will replace it in the morning."
                ),
            ),
            (CLIENT, "Okay, thank you. Is there another printer we can use meanwhile?"),
            (OPERATOR, "Yes, the one next to the kitchen on the same floor is set up for you."),
        ),
        "The new cartridge is in and test pages are fine.",
    ),
    RequestTemplate(
        "it",
        "New employee needs an account and a laptop",
        "A new colleague starts on Monday in the sales team. She needs an e-mail account, "
        "access to {app} and a laptop.",
        (
            (
                OPERATOR,
                (
                    "Welcome to the new colleague! Please send me her full name, the start "
                    "date and the name of her manager."
                ),
            ),
            (CLIENT, "Details are in the attached form."),
            (NOTE, "Account created. {device} taken from stock, imaging now."),
            (
                OPERATOR,
                (
                    "The account is ready and the laptop is being prepared. She can pick it "
                    "up at the IT desk on Monday at 9:00."
                ),
            ),
        ),
        "Everything was handed over on Monday. Closing.",
    ),
    RequestTemplate(
        "it",
        "{app} crashes when opening large files",
        "{app} closes without any message whenever I open a file larger than about 20 MB. "
        "Smaller files are fine. I am on {os}.",
        (
            (OPERATOR, "Can you tell me which version of {app} you have (Help → About)?"),
            (CLIENT, "It says version 16.0.1 build 4711."),
            (NOTE, "Known issue with this build; the fix is in the current update ring."),
            (
                OPERATOR,
                (
                    "This is a known problem of that build. I have pushed the update to your "
                    "computer; please restart it at the end of the day."
                ),
            ),
            (CLIENT, "Restarted, the large files open now."),
        ),
        "Thanks for confirming. Closing the request.",
    ),
    RequestTemplate(
        "it",
        "Access to the shared folder for the finance team",
        "I moved to the finance team and need access to the shared folder \\\\files\\finance. "
        "My manager approved it.",
        (
            (OPERATOR, "Could you ask your manager to reply here or forward the approval?"),
            (CLIENT, "I forwarded the approval e-mail to the support address."),
            (
                OPERATOR,
                (
                    "Received, thank you. You are in the finance group now; please log off "
                    "and on again so Windows picks up the new membership."
                ),
            ),
        ),
        "The access works. Closing.",
    ),
    RequestTemplate(
        "it",
        "Laptop is very slow after the update",
        "Since the update on Tuesday my {device} takes ten minutes to start and the fan is "
        "always loud.",
        (
            (
                OPERATOR,
                "Could you open the Task Manager and tell me which process uses the most CPU?",
            ),
            (CLIENT, "Something called the search indexer, at 90%."),
            (
                OPERATOR,
                (
                    "After a big update the index is rebuilt once. Leave the laptop on and "
                    "plugged in tonight; it should be back to normal tomorrow."
                ),
            ),
            (CLIENT, "It is much better today, thank you."),
        ),
        "Good to hear. Closing the request.",
    ),
    RequestTemplate(
        "it",
        "Two-factor authentication: lost my phone",
        "I lost my phone yesterday and cannot confirm the sign-in any more ({code}). I have a "
        "new phone with the same number.",
        (
            (NOTE, "Identity confirmed by a call to the manager."),
            (
                OPERATOR,
                (
                    "I have reset your second factor. At your next sign-in you will be asked "
                    "to set up the authenticator app on the new phone."
                ),
            ),
            (CLIENT, "Done, it works. Thank you for the quick help."),
        ),
        "You are welcome. Closing.",
    ),
    RequestTemplate(
        "it",
        "Monitor flickers in meeting room {room}",
        "The big screen in {room} flickers every few seconds when a laptop is connected "
        "over HDMI. We have an important meeting on Thursday.",
        (
            (OPERATOR, "We will have a look today. Does it also flicker with the USB-C cable?"),
            (CLIENT, "We did not try; the USB-C cable seems to be missing."),
            (NOTE, "HDMI cable damaged near the plug. Replaced; added a USB-C cable."),
            (OPERATOR, "The HDMI cable was damaged; we replaced it and added a USB-C cable."),
        ),
        "The room is ready for Thursday.",
    ),
    RequestTemplate(
        "it",
        "Please install {app} on my computer",
        "For a new project I need {app} on my workstation. Could you install it?",
        (
            (
                OPERATOR,
                (
                    "Sure. Does your project have a licence for it, or should we use one "
                    "from the pool?"
                ),
            ),
            (CLIENT, "The pool, please. The project code is PRJ-{number}."),
            (OPERATOR, "Installed and licensed. You will find it in the start menu."),
        ),
        "Closing the request. Have a good project!",
    ),
    RequestTemplate(
        "it",
        "E-mails to an external partner bounce",
        'Mails to our partner in {city} come back with a delivery failure: "{code}". '
        "Other recipients get my mail.",
        (
            (
                OPERATOR,
                (
                    "Please forward me the whole bounce message, including the technical "
                    "details at the bottom."
                ),
            ),
            (CLIENT, "Forwarded."),
            (NOTE, "Their server rejects us because of an old SPF record on their side."),
            (
                OPERATOR,
                (
                    "The partner's mail server has an outdated filter. I have written to "
                    "their administrator; meanwhile you can send through the secure file share."
                ),
            ),
            (CLIENT, "They confirmed the fix, mails go through now."),
        ),
        "Thanks for letting us know. Closing.",
    ),
    RequestTemplate(
        "it",
        "Keyboard missing keys",
        "My {device} keyboard has two keys that stopped working (E and R). Can I get a "
        "replacement?",
        (
            (
                OPERATOR,
                (
                    "Of course. Do you prefer to pick it up or should we bring it to your "
                    "desk in room {room}?"
                ),
            ),
            (CLIENT, "Bringing it would be great."),
        ),
        "The new keyboard is on your desk.",
    ),
    RequestTemplate(
        "it",
        "Cannot log in to {app}: account locked",
        "{app} says my account is locked. I probably typed the wrong password too often.",
        (
            (OPERATOR, "I have unlocked the account. Please wait a minute and try again."),
            (CLIENT, "Still locked, same message."),
            (NOTE, "The old phone keeps trying with the old password and locks it again."),
            (
                OPERATOR,
                (
                    "An old device of yours keeps trying the old password. Please remove "
                    "the account from your old phone; I have unlocked it once more."
                ),
            ),
            (CLIENT, "Removed it from the phone, and now it stays unlocked."),
        ),
        "Great. Closing this request.",
    ),
    RequestTemplate(
        "it",
        "Wi-Fi drops in the {room} area",
        "Since last week the Wi-Fi in {room} drops every half hour for a minute. Video calls "
        "break up.",
        (
            (
                OPERATOR,
                (
                    "Thanks. Could you run the speed test on the intranet page when it "
                    "happens and send the result?"
                ),
            ),
            (CLIENT, "Result attached. Download was 0.3 Mbit/s."),
            (NOTE, "Access point AP-17 restarting in a loop; replacement scheduled."),
            (
                OPERATOR,
                (
                    "One access point is faulty. We will replace it tomorrow at 7:00, before "
                    "people arrive."
                ),
            ),
        ),
        "The access point was replaced. Wi-Fi is stable again.",
    ),
    # -- Online shop --------------------------------------------------------------------
    RequestTemplate(
        "shop",
        "Where is my order #{order}?",
        "I ordered the {product} ten days ago (order #{order}) and it still has not arrived. "
        "The tracking page has not changed for five days.",
        (
            (
                OPERATOR,
                (
                    "I am sorry for the wait, {name}. I have asked {carrier} for the status "
                    "of your parcel and will get back to you today."
                ),
            ),
            (NOTE, "{carrier} confirms the parcel is stuck at the depot in {city}."),
            (
                OPERATOR,
                (
                    "The parcel is at the {carrier} depot in {city} and will be delivered "
                    "within two working days. We refunded the shipping cost for the delay."
                ),
            ),
            (CLIENT, "Thank you, that is kind."),
            (CLIENT, "The parcel arrived today."),
        ),
        "Enjoy your {product}! Closing the request.",
    ),
    RequestTemplate(
        "shop",
        "Wrong item delivered (order #{order})",
        "I ordered the {product}, but the box contained something else. Photo attached.",
        (
            (
                OPERATOR,
                (
                    "I apologise for the mix-up. We will send the right item today. Please "
                    "keep the wrong one; {carrier} will pick it up when delivering the new one."
                ),
            ),
            (CLIENT, "Okay. Do I need to print a label?"),
            (OPERATOR, "No, the driver brings the label."),
            (CLIENT, "Swap done, the right item is here."),
        ),
        "Thank you for your patience. Closing.",
    ),
    RequestTemplate(
        "shop",
        "Return request for the {product}",
        "I would like to return the {product} from order #{order}. It does not fit my needs. "
        "The box is unopened.",
        (
            (
                OPERATOR,
                (
                    "No problem, you are within the 30-day return period. I have sent you a "
                    "prepaid {carrier} label by e-mail."
                ),
            ),
            (CLIENT, "Sent it back today."),
            (
                OPERATOR,
                (
                    "The parcel has reached our warehouse. The refund will be on your card "
                    "in 3-5 working days."
                ),
            ),
        ),
        "The refund has been issued. Closing the request.",
    ),
    RequestTemplate(
        "shop",
        "Payment taken twice for order #{order}",
        "My bank statement shows two payments for order #{order}. Please refund one of them.",
        (
            (NOTE, "Payment provider shows one capture and one authorisation that expires."),
            (
                OPERATOR,
                (
                    "Only one payment was taken; the second line is a reservation that your "
                    "bank releases automatically within 7 days."
                ),
            ),
            (CLIENT, "Still there after a week."),
            (
                OPERATOR,
                (
                    "I have asked the payment provider to release it manually; it will "
                    "disappear within two days. Sorry for the inconvenience."
                ),
            ),
            (CLIENT, "It is gone now, thanks."),
        ),
        "Closing the request.",
    ),
    RequestTemplate(
        "shop",
        "Promo code not accepted",
        'The code from your newsletter is not accepted at checkout: "this code is not '
        'valid". I wanted to order the {product}.',
        (
            (OPERATOR, "The code is valid for orders over 50 EUR. Is your basket above that?"),
            (CLIENT, "Ah, no, it is 45 EUR."),
            (OPERATOR, "I have made you a personal code without the minimum: SORRY10."),
            (CLIENT, "Worked, order placed. Thank you!"),
        ),
        "Happy shopping! Closing.",
    ),
    RequestTemplate(
        "shop",
        "Parcel damaged on arrival",
        "The {product} arrived with a crushed box and a cracked part. Photos attached. "
        "Order #{order}.",
        (
            (OPERATOR, "I am sorry to see this. Would you prefer a replacement or a refund?"),
            (CLIENT, "A replacement, please."),
            (NOTE, "Claim opened with {carrier}. Replacement shipped from {city}."),
            (
                OPERATOR,
                "A replacement is on its way. You do not need to send the damaged one back.",
            ),
            (CLIENT, "Replacement received in perfect condition."),
        ),
        "Thank you for letting us know. Closing.",
    ),
    RequestTemplate(
        "shop",
        "Change delivery address for order #{order}",
        "I just placed order #{order} and noticed the old address. Can you change it to my "
        "new address in {city}?",
        (
            (
                OPERATOR,
                "The order has not been packed yet, so yes. Please send the full new address here.",
            ),
            (CLIENT, "Address sent in the attachment."),
            (OPERATOR, "Updated. The parcel will go to the new address."),
        ),
        "Closing the request.",
    ),
    RequestTemplate(
        "shop",
        "Invoice with company details",
        "I need an invoice for order #{order} with our company name and VAT number for accounting.",
        (
            (OPERATOR, "Please send the company name, address and VAT number."),
            (CLIENT, "Details attached."),
            (OPERATOR, "The corrected invoice is attached to this request as a PDF."),
        ),
        "Closing the request.",
    ),
    RequestTemplate(
        "shop",
        "When will the {product} be back in stock?",
        "The {product} has been out of stock for weeks. Is there a date? Can I be notified?",
        (
            (
                OPERATOR,
                (
                    "The next delivery is expected in about two weeks. I have put you on the "
                    "list, so you get an e-mail the moment it is back."
                ),
            ),
            (CLIENT, "Great, thank you."),
        ),
        "It is back in stock, and the notice went out. Closing.",
    ),
    RequestTemplate(
        "shop",
        "Cannot log in to my customer account",
        "The shop says my e-mail is unknown, but I have ordered before (order #{order}).",
        (
            (
                OPERATOR,
                (
                    "Your earlier order was placed as a guest, so there is no account yet. "
                    "You can register with the same e-mail and the order will appear in it."
                ),
            ),
            (CLIENT, "Registered, and I can see the old order. Thanks."),
        ),
        "Closing the request.",
    ),
    RequestTemplate(
        "shop",
        "Warranty claim: {product} stopped working",
        "My {product} bought eight months ago (order #{order}) stopped working. It does not "
        "turn on any more.",
        (
            (
                OPERATOR,
                (
                    "That should not happen. Could you try another socket and another "
                    "charger, if it has one?"
                ),
            ),
            (CLIENT, "Tried both, still nothing."),
            (
                OPERATOR,
                (
                    "It is covered by the warranty. I have sent you a free {carrier} label; "
                    "we will repair or replace it within 10 days."
                ),
            ),
            (NOTE, "Service partner confirms a faulty power board; replacing the unit."),
            (OPERATOR, "The unit could not be repaired quickly, so we are sending you a new one."),
            (CLIENT, "New one arrived, works perfectly."),
        ),
        "Thank you for your patience. Closing.",
    ),
    RequestTemplate(
        "shop",
        "Order cancelled without explanation",
        "I got an e-mail that order #{order} was cancelled. I did not cancel it. What happened?",
        (
            (NOTE, "Fraud filter flagged the billing/shipping mismatch; false positive."),
            (
                OPERATOR,
                (
                    "Our payment check stopped the order by mistake. I have restored it and "
                    "it ships today. Sorry for the scare."
                ),
            ),
            (CLIENT, "Thank you for sorting it out."),
        ),
        "Closing the request.",
    ),
    RequestTemplate(
        "shop",
        "Size exchange for the {product}",
        "The {product} from order #{order} is a size too small. Can I exchange it for the "
        "next size?",
        (
            (
                OPERATOR,
                (
                    "Certainly. The next size is in stock; I have reserved it for you and "
                    "sent a return label."
                ),
            ),
            (CLIENT, "Sent the small one back."),
            (OPERATOR, "Received. The new size ships today."),
        ),
        "Exchange complete. Closing.",
    ),
    # -- Service centre -------------------------------------------------------------------
    RequestTemplate(
        "service",
        "Washing machine shows error {code}",
        "Our washing machine stops mid-cycle and shows {code}. Water stays in the drum.",
        (
            (
                OPERATOR,
                (
                    "{code} usually means the drain is blocked. Could you check the filter "
                    "behind the small flap at the bottom front?"
                ),
            ),
            (CLIENT, "Found a coin and a lot of lint in it. Cleaned it."),
            (OPERATOR, "Please run a short programme and tell me whether the error comes back."),
            (CLIENT, "No error any more. Thanks for saving us a visit!"),
        ),
        "Happy to help. Closing.",
    ),
    RequestTemplate(
        "service",
        "Repair status of my {device}",
        "I handed in my {device} for repair last week (receipt {order}). Is there any news?",
        (
            (
                OPERATOR,
                (
                    "The technician has diagnosed a faulty charging port. The repair costs "
                    "89 EUR. Shall we go ahead?"
                ),
            ),
            (CLIENT, "Yes, please."),
            (NOTE, "Part ordered from the distributor; ETA 3 days."),
            (
                OPERATOR,
                (
                    "The part is ordered and arrives in three days; the repair takes one "
                    "more day after that."
                ),
            ),
            (OPERATOR, "Your {device} is repaired and ready for pick-up at our {city} branch."),
            (CLIENT, "Picked it up, it charges again. Thank you."),
        ),
        "Closing the request.",
    ),
    RequestTemplate(
        "service",
        "Book a technician visit",
        "Our {product} makes a loud noise. I would like a technician to come. We are in {city}.",
        (
            (
                OPERATOR,
                "We have slots on Tuesday 10:00-12:00 or Thursday 14:00-16:00. Which suits you?",
            ),
            (CLIENT, "Thursday afternoon, please."),
            (
                OPERATOR,
                (
                    "Booked for Thursday 14:00-16:00. The technician will call 30 minutes "
                    "before arriving."
                ),
            ),
            (NOTE, "Technician report: worn bearing replaced, test run fine."),
        ),
        "The visit is done and the report is in your account. Closing.",
    ),
    RequestTemplate(
        "service",
        "Quote for screen replacement",
        "The screen of my {device} is cracked. How much does a replacement cost and how long "
        "does it take?",
        (
            (
                OPERATOR,
                (
                    "An original screen for the {device} costs 179 EUR including labour; "
                    "the repair takes about two hours."
                ),
            ),
            (CLIENT, "Do I need an appointment?"),
            (OPERATOR, "It is better to book one so the part is ready. Tomorrow at 11:00?"),
            (CLIENT, "Perfect, see you tomorrow."),
        ),
        "Repair done, thanks for visiting. Closing.",
    ),
    RequestTemplate(
        "service",
        "Boiler maintenance reminder",
        "Our annual boiler maintenance is due. Please schedule the visit.",
        (
            (OPERATOR, "Thanks for reminding us. Would next Monday morning work?"),
            (CLIENT, "Monday works."),
        ),
        "Maintenance done; the next one is due in a year.",
    ),
    RequestTemplate(
        "service",
        "Repair did not fix the problem",
        "I picked up my {device} after repair ({order}), but the same fault ({code}) came "
        "back after two days.",
        (
            (
                OPERATOR,
                (
                    "I am sorry about that. Please bring it back; the repair is under our "
                    "90-day guarantee, so there is no charge."
                ),
            ),
            (CLIENT, "Dropped it off this morning."),
            (NOTE, "Second diagnosis: the mainboard, not the port. Replacing under guarantee."),
            (OPERATOR, "The real cause was the mainboard. We replaced it free of charge."),
            (CLIENT, "Works now for a week without problems."),
        ),
        "Thank you for the feedback. Closing.",
    ),
    RequestTemplate(
        "service",
        "Spare part for the {product}",
        "Can I order a replacement lid for the {product}? Mine broke.",
        (
            (
                OPERATOR,
                "Yes, the part costs 14 EUR plus shipping. Shall I send you a payment link?",
            ),
            (CLIENT, "Yes, please."),
            (OPERATOR, "Payment received; the part ships with {carrier} today."),
        ),
        "Closing the request.",
    ),
    RequestTemplate(
        "service",
        "Data recovery from a broken phone",
        "My {device} fell into water and does not turn on. I need the photos from it. Is "
        "that possible?",
        (
            (
                OPERATOR,
                (
                    "Often, yes. Please do not try to charge it. Bring it in as soon as you "
                    "can; the diagnosis is free."
                ),
            ),
            (CLIENT, "Brought it in today, receipt {order}."),
            (NOTE, "Board cleaned, storage readable, copying 42 GB."),
            (
                OPERATOR,
                (
                    "Good news: we recovered your photos onto a USB stick. You can pick it "
                    "up any time."
                ),
            ),
        ),
        "Photos handed over. Closing.",
    ),
    RequestTemplate(
        "service",
        "Fridge not cooling",
        "Our {product} stopped cooling yesterday. The light is on but it is warm inside.",
        (
            (
                OPERATOR,
                (
                    "Please check that the temperature dial was not turned to 0 by "
                    "accident, and that the back of the fridge is not touching the wall."
                ),
            ),
            (CLIENT, "Both fine. It is still warm."),
            (OPERATOR, "Then it needs a technician. The earliest slot is tomorrow 8:00-10:00."),
            (CLIENT, "Yes please, we will be home."),
            (NOTE, "Compressor relay replaced."),
        ),
        "The fridge is cooling again. Closing.",
    ),
    RequestTemplate(
        "service",
        "Extended warranty question",
        "I bought the {product} with the extended warranty. Does it cover accidental damage?",
        (
            (
                OPERATOR,
                (
                    "The extended warranty covers faults, not accidental damage. Accidental "
                    "damage cover can be added for 29 EUR a year."
                ),
            ),
            (CLIENT, "Thanks for clarifying. I will think about it."),
        ),
        "Closing the request; reply here if you want to add the cover.",
    ),
    RequestTemplate(
        "service",
        "Invoice amount looks wrong",
        "The invoice for repair {order} says 240 EUR, but the quote was 180 EUR.",
        (
            (NOTE, "Technician added a part without asking. Honour the quote."),
            (
                OPERATOR,
                (
                    "You are right, an extra part was added without your approval. We have "
                    "corrected the invoice to 180 EUR."
                ),
            ),
            (CLIENT, "Thank you for correcting it."),
        ),
        "Closing the request.",
    ),
    RequestTemplate(
        "service",
        "Coffee machine leaks water",
        "The {product} leaks water under the drip tray after each coffee.",
        (
            (
                OPERATOR,
                (
                    "Could you descale it? A blocked valve often causes leaks. The "
                    "descaling programme takes 30 minutes."
                ),
            ),
            (CLIENT, "Descaled, still leaking."),
            (
                OPERATOR,
                (
                    "Then the seal needs replacing. We will send a courier to pick the "
                    "machine up; the repair is under warranty."
                ),
            ),
            (CLIENT, "Courier came today."),
            (OPERATOR, "The seal was replaced and the machine is on its way back to you."),
        ),
        "Enjoy your coffee! Closing.",
    ),
    RequestTemplate(
        "service",
        "Pick-up hours at the {city} branch",
        "Can I collect my repaired {device} on Saturday at the {city} branch?",
        ((OPERATOR, "Yes, the {city} branch is open on Saturdays from 10:00 to 14:00."),),
        "Closing the request.",
    ),
)

CLIENT_THANKS = (
    "Thank you!",
    "Thanks a lot for the quick help.",
    "Perfect, thank you.",
    "Thanks, all good now.",
    "Many thanks, problem solved.",
)
RATING_COMMENTS = (
    "",
    "",
    "",
    "Fast and friendly.",
    "Solved on the first try.",
    "Took a while, but solved.",
    "Very helpful operator.",
    "Clear instructions, thank you.",
    "Could have been faster.",
)
OPERATOR_SIGN_OFF = "\n\nBest regards,\n{op}"

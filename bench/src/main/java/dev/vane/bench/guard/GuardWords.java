package dev.vane.bench.guard;

import java.util.List;

/**
 * The benchmark's word list: 100 words and phrases, as a deployment's block list might hold. Most
 * never occur in the embedded model's King James prose (so the matcher's cost is that of a miss,
 * the usual case); ten do ("mercy", "glory", "dust"...), so findings and redactions are part of
 * what is timed.
 */
final class GuardWords {
    private GuardWords() {}

    static final List<String> WORDS = List.of(
            // Occur in the embedded model's text.
            "pestilence", "congregation", "remnant", "saints", "mercy", "desert", "womb", "anger", "glory", "dust",
            // Do not (a neutral stand-in for a deployment's own list).
            "password", "credit score", "wire transfer", "bitcoin", "casino", "jackpot", "lottery", "payday loan", "crypto wallet", "seed phrase",
            "malware", "ransomware", "keylogger", "botnet", "phishing", "exploit kit", "zero day", "rootkit", "trojan horse", "spyware",
            "firearm", "shotgun", "rifle scope", "ammunition", "silencer", "grenade", "detonator", "explosive", "napalm", "thermite",
            "cocaine", "heroin", "fentanyl", "methamphetamine", "opioid", "ketamine", "ecstasy", "cannabis", "marijuana", "amphetamine",
            "hacker", "doxxing", "swatting", "stalkerware", "deepfake", "catfish", "sextortion", "revenge porn", "cyberbully", "troll farm",
            "self harm", "suicide", "overdose", "anorexia", "bulimia", "cutting tool", "noose", "hanging rope", "poison gas", "cyanide",
            "counterfeit", "forgery", "money laundering", "tax evasion", "insider trading", "ponzi scheme", "pyramid scheme", "embezzlement", "bribery", "extortion",
            "nazi", "white power", "ethnic cleansing", "genocide", "hate speech", "slur", "supremacist", "militia", "extremist", "radicalize",
            "jailbreak", "dan mode", "developer mode", "system prompt", "root access", "admin panel", "backdoor", "sql injection", "shellcode", "privilege escalation");
}

package bot

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// GitHubRules are the scoring rules that apply to GitHub: points per merged
// pull request and per approving or change-requesting review, from the
// scoring section and the github section of the configuration.
type GitHubRules struct {
	MergedPR int64                // points for a merged pull request (scoring.merged_pr)
	Review   int64                // points for an approving or change-requesting review (scoring.review)
	Labels   map[string]LabelRule // by label name, matched regardless of case (scoring.labels)

	Repos       []string // owner/name allow-list; empty means every repository (github.repos)
	IgnoreUsers []string // logins never credited (github.ignore_users)

	Category       string // category of a merged pull request no label changes; "code" when empty
	ReviewCategory string // category of a review credit; "review" when empty
}

// LabelRule says how a labelled pull request is credited.
type LabelRule struct {
	Category string // the category instead of the default; "" keeps it
	Bonus    int64  // points added to MergedPR (may be negative)
	Skip     bool   // credit nothing for the pull request and its reviews
}

// Check reports a rule naming a category that is not configured: a credit
// in it would be refused by nobody and counted nowhere.
func (r GitHubRules) Check(categories []string) error {
	check := func(what, c string) error {
		if !slices.Contains(categories, c) {
			return fmt.Errorf("github: %s category %q is not one of scoring.categories (%s)", what, c, strings.Join(categories, ", "))
		}
		return nil
	}
	if err := check("pull request", r.prCategory()); err != nil {
		return err
	}
	if err := check("review", r.reviewCategory()); err != nil {
		return err
	}
	for _, name := range sortedLabels(r.Labels) {
		if c := r.Labels[name].Category; c != "" {
			if err := check("label "+name, c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r GitHubRules) prCategory() string {
	if r.Category == "" {
		return "code"
	}
	return r.Category
}

func (r GitHubRules) reviewCategory() string {
	if r.ReviewCategory == "" {
		return "review"
	}
	return r.ReviewCategory
}

// Allowed reports whether contributions to a repository count.
func (r GitHubRules) Allowed(repo string) bool {
	if len(r.Repos) == 0 {
		return true
	}
	for _, allowed := range r.Repos {
		if strings.EqualFold(allowed, repo) {
			return true
		}
	}
	return false
}

// ignored says why a user is never credited, or "" when they may be.
func (r GitHubRules) ignored(u GitHubUser) string {
	login := strings.TrimPrefix(u.Login, "@")
	if u.Bot || strings.HasSuffix(strings.ToLower(login), "[bot]") {
		return login + " is a bot"
	}
	for _, ignored := range r.IgnoreUsers {
		if strings.EqualFold(strings.TrimPrefix(ignored, "@"), login) {
			return login + " is in github.ignore_users"
		}
	}
	return ""
}

// labelled applies the label rules to a pull request: its category and
// points, or why it earns nothing. Labels are taken in name order, so the
// first one (by name) that sets a category decides it; bonuses add up.
func (r GitHubRules) labelled(labels []string) (category string, points int64, skip string) {
	points = r.MergedPR
	names := slices.Clone(labels)
	sort.Slice(names, func(i, j int) bool { return strings.ToLower(names[i]) < strings.ToLower(names[j]) })
	for _, name := range slices.Compact(names) {
		rule, ok := r.labelRule(name)
		if !ok {
			continue
		}
		if rule.Skip {
			return "", 0, "label " + name + " credits nothing"
		}
		points += rule.Bonus
		if category == "" {
			category = rule.Category
		}
	}
	if category == "" {
		category = r.prCategory()
	}
	return category, max(points, 0), ""
}

func (r GitHubRules) labelRule(label string) (LabelRule, bool) {
	if rule, ok := r.Labels[label]; ok {
		return rule, true
	}
	for name, rule := range r.Labels {
		if strings.EqualFold(name, label) {
			return rule, true
		}
	}
	return LabelRule{}, false
}

// skipLabel says which label, if any, makes a pull request credit nothing.
func (r GitHubRules) skipLabel(labels []string) string {
	_, _, skip := r.labelled(labels)
	return skip
}

func sortedLabels(m map[string]LabelRule) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// largestRemainder shares total out in proportion to weights, in integers
// that add up to total: each gets the floor of its exact share, and the
// units left over go to the largest remainders, ties to the earlier weight.
func largestRemainder(total int64, weights []int64) []int64 {
	shares := make([]int64, len(weights))
	var sum int64
	for _, w := range weights {
		sum += w
	}
	if sum <= 0 || total <= 0 {
		return shares
	}
	remainders := make([]int64, len(weights))
	left := total
	for i, w := range weights {
		shares[i] = total * w / sum
		remainders[i] = total * w % sum
		left -= shares[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return remainders[order[a]] > remainders[order[b]] })
	for _, i := range order[:left] {
		shares[i]++
	}
	return shares
}
